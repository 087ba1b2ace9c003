/* Display preferences (larger type, high contrast), remembered in this browser's localStorage only.
   Every visitor gets the same HTML, which is what lets the public pages be cached; this script is loaded
   in <head> without defer, so the classes are on <html> before the first paint and nothing flickers. */
(function () {
  "use strict";
  var KEY = "govcases-display";
  var PREFERENCES = ["large-type", "high-contrast"];
  var root = document.documentElement;

  function stored() {
    try {
      return JSON.parse(window.localStorage.getItem(KEY)) || {};
    } catch (error) {
      return {};  // storage switched off or garbled: the default display
    }
  }

  function apply(values) {
    PREFERENCES.forEach(function (name) {
      root.classList.toggle(name, values[name] === true);
    });
  }

  apply(stored());

  document.addEventListener("DOMContentLoaded", function () {
    var switches = document.getElementById("display-switches");
    if (!switches) {
      return;
    }
    switches.hidden = false;  // without this script the buttons could do nothing, so they stay hidden
    switches.querySelectorAll("button[data-preference]").forEach(function (button) {
      var name = button.getAttribute("data-preference");
      button.setAttribute("aria-pressed", String(root.classList.contains(name)));
      button.addEventListener("click", function () {
        var values = stored();
        values[name] = !root.classList.contains(name);
        try {
          window.localStorage.setItem(KEY, JSON.stringify(values));
        } catch (error) {
          // Not remembered (private mode with storage off), but still applied to this page.
        }
        apply(values);
        button.setAttribute("aria-pressed", String(values[name]));
      });
    });
  });
})();
