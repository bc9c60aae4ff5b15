// A Featured list's items in the admin (byline/featured/forms.py): the "Add item" button sits
// above the items, and an item added goes first, since the newest story usually leads the
// list. Wagtail's InlinePanel appends it last; this moves it, then numbers every item's
// ORDER field in the order shown, as Wagtail does after a drag, so the saved order is the
// one the editor sees.
(function () {
  "use strict";
  var PREFIX = "items";

  function forms() { return document.getElementById("id_" + PREFIX + "-FORMS"); }

  function shown(container) {
    return Array.prototype.filter.call(container.children, function (child) {
      return child.matches("[data-inline-panel-child]") && !child.classList.contains("deleted");
    });
  }

  function renumber(container) {
    var children = shown(container);
    children.forEach(function (child, index) {
      var prefix = child.id.replace("inline_child_", "");
      var order = child.querySelector('[name="' + prefix + '-ORDER"]');
      if (order) order.value = String(index + 1);
      var count = child.querySelector("[data-inline-panel-child-count]");
      if (count) count.textContent = " " + (index + 1);
      var up = child.querySelector("[data-inline-panel-child-move-up]");
      var down = child.querySelector("[data-inline-panel-child-move-down]");
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === children.length - 1;
    });
  }

  function addButtonOnTop() {
    var container = forms();
    var add = document.getElementById("id_" + PREFIX + "-ADD");
    if (!container || !add || add.dataset.onTop) return;
    add.dataset.onTop = "true";
    container.parentNode.insertBefore(add.parentNode, container);
  }

  document.addEventListener("w-formset:added", function (event) {
    var container = forms();
    var child = event.target;
    if (!container || child.parentNode !== container) return;
    container.insertBefore(child, container.firstElementChild);
    renumber(container);
    var content = document.getElementById(child.id + "-panel-content");
    if (content) {
      content.scrollIntoView({ block: "start" });
      content.focus();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addButtonOnTop);
  } else {
    addButtonOnTop();
  }
})();
