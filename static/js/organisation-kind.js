// The organisation form shows only the part for the chosen kind (government or partner).
// Without this script both parts show under headings naming their kind. A hidden part is also
// disabled, so answers left in it are not sent and cannot stop the form with an error.
(function () {
  var radios = document.querySelectorAll('input[name="kind"]');
  var parts = document.querySelectorAll("fieldset[data-for-kind]");
  if (!radios.length || !parts.length) { return; }
  function show() {
    var chosen = document.querySelector('input[name="kind"]:checked');
    parts.forEach(function (part) {
      var other = !chosen || part.getAttribute("data-for-kind") !== chosen.value;
      part.hidden = other;
      part.disabled = other;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  show();
})();
