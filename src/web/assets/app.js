// target-monitor: small progressive enhancements; every page works without this script.
(function () {
  'use strict';
  // Auto-submit filter forms when a select changes.
  document.addEventListener('change', function (event) {
    var el = event.target;
    if (el && el.matches && el.matches('form[data-autosubmit] select')) el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
  });
  // Confirm destructive actions.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // Entry page: warn before leaving with unsaved input.
  var dirty = false;
  document.addEventListener('input', function (event) {
    if (event.target.closest && event.target.closest('form[data-dirty-guard]')) dirty = true;
  });
  document.addEventListener('submit', function () { dirty = false; });
  window.addEventListener('beforeunload', function (event) { if (dirty) { event.preventDefault(); event.returnValue = ''; } });
  // 打印 buttons.
  document.addEventListener('click', function (event) {
    if (event.target.closest && event.target.closest('[data-print]')) window.print();
  });
  // Evaluation run in progress: refresh the page until it has finished.
  var pending = document.querySelector('[data-refresh-while-running]');
  if (pending) setTimeout(function () { window.location.reload(); }, 2000);
})();
