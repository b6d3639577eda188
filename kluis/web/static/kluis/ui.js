// Small enhancements on top of pages that work without script (loaded with the CSP nonce
// from web/base.html; no inline script anywhere).
//  - Menus (<details>): opening one closes the others; Escape closes it and returns focus
//    to its button.
//  - A wide table's wrapper (.kluis-table-wrap) that scrolls sideways becomes a named,
//    focusable region, so a keyboard can scroll it (arrow keys once it has focus).
(function () {
  "use strict";

  var MENUS = "header details";

  function closeOthers(opened) {
    document.querySelectorAll(MENUS + "[open]").forEach(function (menu) {
      if (menu !== opened && !menu.contains(opened) && !opened.contains(menu)) {
        menu.open = false;
      }
    });
  }

  document.addEventListener(
    "toggle",
    function (event) {
      var menu = event.target;
      if (menu instanceof HTMLDetailsElement && menu.open && menu.matches(MENUS)) {
        closeOthers(menu);
      }
    },
    true
  );

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = Array.prototype.slice.call(document.querySelectorAll(MENUS + "[open]"));
    var inner = open.filter(function (menu) {
      return menu.contains(document.activeElement);
    }).pop() || open.pop();
    if (inner) {
      inner.open = false;
      var summary = inner.querySelector("summary");
      if (summary) {
        summary.focus();
      }
    }
  });

  function regionName(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim().replace(/\s+/g, " ");
    }
    if (wrap.dataset.label) {
      return wrap.dataset.label;
    }
    var node = wrap;
    while (node && node !== document.body) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) {
          return previous.textContent.trim().replace(/\s+/g, " ");
        }
        var heading = previous.querySelector && previous.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading) {
          return heading.textContent.trim().replace(/\s+/g, " ");
        }
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }

  function markScrollingTables() {
    document.querySelectorAll(".kluis-table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", regionName(wrap));
        wrap.dataset.kluisRegion = "1";
      } else if (!scrolls && wrap.dataset.kluisRegion) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        delete wrap.dataset.kluisRegion;
      }
    });
  }

  var pending = 0;
  function later() {
    window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(markScrollingTables);
  }

  markScrollingTables();
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
})();
