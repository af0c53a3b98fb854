// Games work as plain forms; this only adds a running count and, in match games, greys out
// the answers already used elsewhere.
(function () {
  "use strict";
  var form = document.querySelector("form.game");
  if (!form) return;
  var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
  var status = form.querySelector(".game-status");
  var template = form.getAttribute("data-placed") || "";

  function update() {
    var placed = selects.filter(function (s) { return s.value; }).length;
    if (status && template) {
      status.textContent = template.replace("%(placed)s", placed).replace("%(total)s", selects.length);
    }
    if (form.getAttribute("data-game") === "match") {
      var used = selects.map(function (s) { return s.value; });
      selects.forEach(function (select) {
        Array.prototype.forEach.call(select.options, function (option) {
          option.disabled = option.value !== "" && option.value !== select.value && used.indexOf(option.value) !== -1;
        });
      });
    }
    selects.forEach(function (select) {
      select.closest("li").classList.toggle("placed", Boolean(select.value));
    });
  }

  selects.forEach(function (select) { select.addEventListener("change", update); });
  update();
})();
