// Time zone fields. On sign-up (data-guess-timezone) the browser's own zone replaces the one the
// server guessed from the browser's languages. Above each long list (data-zone-filter) a text
// box narrows the options to those containing every word typed, accents aside, and picks the
// first one left. Without JavaScript the grouped list works alone.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var zone = null;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
  document.querySelectorAll("select[data-guess-timezone]").forEach(function (select) {
    var known = zone && Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (known) { select.value = zone; }
  });

  document.querySelectorAll("select[data-zone-filter]").forEach(function (select) {
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-filter";
    input.className = "zone-filter";
    input.autocomplete = "off";
    input.placeholder = select.getAttribute("data-zone-filter");
    input.setAttribute("aria-label", select.getAttribute("data-zone-filter"));
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(input, select);
    var options = Array.prototype.map.call(select.options, function (option) {
      return { option: option, text: fold(option.text + " " + option.value.replace(/[_/]/g, " ")) };
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // narrowing is not sending
    });
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var first = null;
      options.forEach(function (item) {
        var shown = words.every(function (word) { return item.text.indexOf(word) !== -1; });
        item.option.hidden = !shown;
        if (shown && first === null) { first = item.option; }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      var chosen = select.options[select.selectedIndex];
      if (first !== null && (!chosen || chosen.hidden)) { select.value = first.value; }
    });
  });
})();
