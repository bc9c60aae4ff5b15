// Share links: "Link to this post" (a plain link to the post's address, which works without
// scripts) becomes a "Copy link" button that puts the address on the clipboard.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) return;
  document.querySelectorAll("a[data-copy-link]").forEach(function (link) {
    var status = link.closest(".share") && link.closest(".share").querySelector("[data-copy-status]");
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Copy link";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(link.href).then(
        function () { if (status) status.textContent = "Link copied."; },
        function () { if (status) status.textContent = "Could not copy: the link is " + link.href; }
      );
    });
    link.replaceWith(button);
  });
})();
