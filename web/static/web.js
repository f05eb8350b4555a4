/* The web pages' own script. Everything works without it; with it the notice page gets a print
   button. Live updates are htmx's SSE extension (vendor/), declared in the HTML. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
