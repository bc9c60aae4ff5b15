// Comments, enhanced: reply in place instead of on a separate page, and keep "3 days ago"
// true on a page that may have been cached for a while. Everything works without this file.
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  if (form) {
    var home = form.parentNode;
    var next = form.nextSibling;
    var parentField = form.querySelector("input[name=parent]");
    var notice = form.querySelector("[data-replying]");
    var noticeName = form.querySelector("[data-replying-name]");
    var heading = document.getElementById("comment-form-heading");
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-reply-to]");
      if (link) {
        event.preventDefault();
        var item = document.getElementById("comment-" + link.dataset.replyTo);
        item.querySelector("article").after(form);
        parentField.value = link.dataset.replyTo;
        noticeName.textContent = item.querySelector(".comment-author").textContent;
        notice.hidden = false;
        heading.hidden = true;
        form.querySelector("textarea").focus();
        return;
      }
      if (event.target.closest("[data-cancel-reply]")) {
        home.insertBefore(form, next);
        parentField.value = "";
        notice.hidden = true;
        heading.hidden = false;
      }
    });
  }
  if (window.Intl && Intl.RelativeTimeFormat) {
    var format = new Intl.RelativeTimeFormat(document.documentElement.lang || "en", {numeric: "auto"});
    var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
                 ["hour", 3600], ["minute", 60], ["second", 1]];
    document.querySelectorAll("[data-since]").forEach(function (element) {
      var seconds = (Date.parse(element.dataset.since) - Date.now()) / 1000;
      for (var i = 0; i < units.length; i++) {
        if (Math.abs(seconds) >= units[i][1] || i === units.length - 1) {
          element.textContent = format.format(Math.round(seconds / units[i][1]), units[i][0]);
          break;
        }
      }
    });
  }
})();
