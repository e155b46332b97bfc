// The register's little progressive JavaScript: everything works without it.
"use strict";
document.addEventListener("submit", function (e) {
  // Confirm forms that ask for it (data-confirm="…").
  var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
