// Surat masuk: tell the clerk at once when the chosen scan is too large
// (the server checks again; everything works without this script).
"use strict";
document.addEventListener("change", function (e) {
  var el = e.target;
  if (!el.matches || !el.matches("input[type=file][data-max]")) { return; }
  var max = parseInt(el.getAttribute("data-max"), 10);
  var f = el.files && el.files[0];
  el.setCustomValidity(f && max && f.size > max ? el.getAttribute("data-toolarge") : "");
  el.reportValidity();
});
