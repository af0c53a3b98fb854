// Visitors have no time zone setting: show each event time in the browser's own zone too.
// The page already gives the event's zone; this only adds a line when the two differ.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var language = document.documentElement.lang || "en";
  var day = new Intl.DateTimeFormat(language, { dateStyle: "full", timeStyle: "short" });
  var clock = new Intl.DateTimeFormat(language, { hour: "numeric", minute: "2-digit", timeZoneName: "long" });
  Array.prototype.forEach.call(document.querySelectorAll("[data-local-time]"), function (node) {
    if (!zone || zone === node.getAttribute("data-zone")) return;
    var start = new Date(node.getAttribute("data-start"));
    var end = new Date(node.getAttribute("data-end"));
    if (isNaN(start) || isNaN(end)) return;
    var text = day.format(start) + " \u2013 " + clock.format(end);
    node.textContent = node.getAttribute("data-local-time").replace("%(time)s", text);
    node.hidden = false;
  });
})();
