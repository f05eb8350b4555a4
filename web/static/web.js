/* The web pages' own script. Everything works without it; with it the notice page gets a print
   button, and a ticket's page (/t/<token>) alerts its holder when the ticket is called and becomes
   the rating page when the service is over. Live updates are htmx's SSE extension (vendor/),
   declared in the HTML. */
(function () {
  var audio = null;  /* made on the first touch: browsers let a page sound only after one */

  function unlock() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      try { audio = new Context(); } catch (e) { audio = null; }
    }
    if (audio && audio.state === "suspended") { audio.resume(); }
  }

  function chime() {
    if (navigator.vibrate) { navigator.vibrate([400, 150, 400, 150, 400]); }
    if (!audio) { return; }
    [0, 0.35].forEach(function (start, i) {
      var tone = audio.createOscillator(), gain = audio.createGain(), at = audio.currentTime + start;
      tone.frequency.value = i ? 660 : 880;
      gain.gain.setValueAtTime(0.25, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start(at);
      tone.stop(at + 0.32);
    });
  }

  function follow(box) {
    var alerted = (box.querySelector("[data-alert]") || {dataset: {}}).dataset.alert || "";
    new MutationObserver(function () {
      if (box.querySelector("[data-reload]")) { window.location.reload(); return; }
      var marked = box.querySelector("[data-alert]");
      var now = marked ? marked.dataset.alert : "";
      if (now && now !== alerted) {
        chime();
        document.documentElement.dataset.alerted = now;  /* what a test, or a screen reader, can see */
      }
      alerted = now;
    }).observe(box, {childList: true, subtree: true});
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-follow]").forEach(follow);
    document.addEventListener("pointerdown", unlock, {once: true});
  });
}());
