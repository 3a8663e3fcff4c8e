/* 共治: the small behaviours pages need, from one static file. A strict Content-Security-Policy allows
   no inline handlers (onclick=…), so pages mark elements with data-* attributes instead. Listeners sit on
   the document, so content that htmx swaps in works without binding anything again.

   data-print                      a button or link that prints the page
   <form data-confirm="问题">      asks before submitting; cancelling submits nothing
   data-autosubmit                 a select that submits its form when changed
   data-month-into="name"          a month picker that writes the month's first day into the field "name" */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-print]");
    if (!trigger) return;
    event.preventDefault();
    window.print();
  });

  // Capture phase: ask before any other submit handler (htmx's included) sees the event.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.form) return;
    if (field.hasAttribute("data-autosubmit")) {
      if (field.form.requestSubmit) field.form.requestSubmit();
      else field.form.submit();
    }
    var into = field.getAttribute("data-month-into");
    if (into && field.form.elements[into]) {
      field.form.elements[into].value = field.value ? field.value + "-01" : "";
    }
  });
})();
