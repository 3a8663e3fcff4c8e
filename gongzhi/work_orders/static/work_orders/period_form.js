/* The report period picker (reports/_period_form.html): show only the fields the chosen period uses.
   "季度" needs a year and a quarter, "年度" a year, "自定义" two dates; the others none. */
(function () {
  "use strict";
  var period = document.getElementById("f_period");
  if (!period) return;
  function show(selector, visible) {
    document.querySelectorAll(selector).forEach(function (el) { el.hidden = !visible; });
  }
  function update() {
    var kind = period.value;
    show(".pf-year", kind === "quarter" || kind === "year");
    show(".pf-quarter", kind === "quarter");
    show(".pf-custom", kind === "custom");
  }
  period.addEventListener("change", update);
  update();
})();
