// The moderation queue's keyboard path: j and k move from comment to comment, a approves,
// s marks as spam, d deletes, x ticks. The buttons work without it; this only saves the reach.
// After an action the page reloads; the comment at the same place (the next one, since the
// one acted on has left the list) takes the focus again.
(function () {
  "use strict";
  var form = document.querySelector("[data-comment-queue]");
  if (!form) return;
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-queue-row]"));
  if (!rows.length) return;
  var keys = form.querySelector("[data-queue-keys]");
  if (keys) keys.hidden = false;
  var STORE = "byline-comment-queue:" + location.pathname + location.search;
  var current = -1;

  function focusRow(index) {
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("is-current", i === current); });
    rows[current].focus();
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function act(name) {
    if (current < 0) return;
    var button = rows[current].querySelector('[data-queue-action="' + name + '"]');
    if (!button) return;
    try { sessionStorage.setItem(STORE, String(current)); } catch (e) { /* private mode */ }
    form.requestSubmit ? form.requestSubmit(button) : button.click();
  }

  var stored = null;
  try { stored = sessionStorage.getItem(STORE); sessionStorage.removeItem(STORE); } catch (e) {}
  if (stored !== null) focusRow(parseInt(stored, 10) || 0);

  rows.forEach(function (row, i) {
    row.addEventListener("focusin", function () {
      current = i;
      rows.forEach(function (other, j) { other.classList.toggle("is-current", j === i); });
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target.closest && target.closest("input:not([type=checkbox]), textarea, select, [contenteditable]")) return;
    if (target.closest && target.closest("[role=dialog], .w-dropdown__content")) return;
    switch (event.key) {
      case "j": focusRow(current + 1); break;
      case "k": focusRow(current < 0 ? 0 : current - 1); break;
      case "a": act("approve"); break;
      case "s": act("spam"); break;
      case "d": act("delete"); break;
      case "x":
        if (current >= 0) rows[current].querySelector("input[type=checkbox]").click();
        break;
      default: return;
    }
    event.preventDefault();
  });
})();
