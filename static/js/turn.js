// Your turn, unmissable beside the visio. The live region is the same for everyone at the
// table (rendered once per audience): live.js marks the body « my-turn » / « my-next » from
// the region's data-speaker / data-next and the page's own person, then dispatches
// « live:marked ». From those marks this file
// - changes the tab's title and icon on one's turn and when one is next, and restores them;
// - says « you are next » in a polite status line;
// - on the arrival of one's turn, plays a short tone and shows a browser notification, each
//   only if the person switched it on with its button (off by default, remembered in
//   localStorage). The notification permission is asked on that click, never on load.
// The notification says « C’est votre tour » and the phase's name, nothing else: it may
// show on a locked screen or to someone beside the screen, so no name, no keyword, no
// group or session. The phase's name is one of the method's fixed labels, the same for
// every group. It shows when the page is hidden or not focused (the visio is in front).
(function () {
  "use strict";
  var cues = document.getElementById("turn-cues");
  if (!cues) return;
  var SOUND = "intervision.turn.sound";
  var NOTIFY = "intervision.turn.notify";
  var baseTitle = document.title;
  var icon = document.querySelector("link[rel~='icon']");
  var baseIcon = icon ? icon.getAttribute("href") : null;
  var nextCue = document.getElementById("next-cue");
  var soundButton = document.getElementById("turn-sound");
  var notifyButton = document.getElementById("turn-notify");
  var optionsStatus = document.getElementById("turn-options-status");
  var was = null;  // "turn", "next" or "" once the page has been marked
  var audio = null;

  function stored(key) {
    try { return window.localStorage.getItem(key) === "on"; } catch (e) { return false; }
  }
  function store(key, on) {
    try { window.localStorage.setItem(key, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }
  function canNotify() { return "Notification" in window; }
  function notifying() { return stored(NOTIFY) && canNotify() && window.Notification.permission === "granted"; }

  function showOptions() {
    soundButton.setAttribute("aria-pressed", String(stored(SOUND)));
    notifyButton.setAttribute("aria-pressed", String(notifying()));
  }
  function say(text) { optionsStatus.textContent = text; }

  // A short rising two-note tone, made on the spot (no sound file).
  function tone() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume();
    var t = audio.currentTime;
    var osc = audio.createOscillator();
    var gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.setValueAtTime(660, t);
    osc.frequency.setValueAtTime(880, t + 0.18);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.45);
    osc.connect(gain);
    gain.connect(audio.destination);
    osc.start(t);
    osc.stop(t + 0.5);
  }
  // A browser lets a page make sound only after a gesture on it: the first click or key
  // after a reload readies the tone the person had switched on.
  function ready() {
    if (!stored(SOUND) || audio) return;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (Context) audio = new Context();
  }
  document.addEventListener("pointerdown", ready, { once: true, capture: true });
  document.addEventListener("keydown", ready, { once: true, capture: true });

  // The phase's name: the subject's current step, or else the stage's heading (its first
  // text, without the round).
  function phaseName() {
    var live = document.getElementById("live");
    var step = live && live.querySelector(".steps [aria-current=step]");
    if (step) return step.textContent.trim();
    var stage = live && live.querySelector("h2.stage");
    return stage && stage.firstChild ? stage.firstChild.textContent.trim() : "";
  }

  function notify() {
    var phase = phaseName();
    var note = new window.Notification(cues.dataset.notifyTitle, { body: phase, tag: "intervision-turn" });
    note.onclick = function () { window.focus(); note.close(); };
  }

  function update() {
    var live = document.getElementById("live");
    var marks = document.body.classList;
    var now = !live ? "" : marks.contains("my-turn") ? "turn" : marks.contains("my-next") ? "next" : "";
    if (now === was) return;
    // Access ended: live.js has put the neutral title; only the icon is ours to restore.
    if (live) document.title = now === "turn" ? cues.dataset.titleTurn + " — " + baseTitle
      : now === "next" ? cues.dataset.titleNext + " — " + baseTitle : baseTitle;
    if (icon) icon.setAttribute("href", now === "turn" ? cues.dataset.iconTurn : now === "next" ? cues.dataset.iconNext : baseIcon);
    nextCue.textContent = now === "next" ? cues.dataset.nextText : "";
    if (now === "turn" && was !== null) {
      if (stored(SOUND)) tone();
      if (notifying() && (document.visibilityState === "hidden" || !document.hasFocus())) notify();
    }
    was = now;
  }

  soundButton.addEventListener("click", function () {
    var on = !stored(SOUND);
    store(SOUND, on);
    if (on) tone();  // what it will sound like, and the gesture that allows sound
    say("");
    showOptions();
  });

  notifyButton.addEventListener("click", function () {
    say("");
    if (notifying()) { store(NOTIFY, false); showOptions(); return; }
    if (!canNotify()) { say(cues.dataset.notifyUnsupported); return; }
    var permission = window.Notification.permission;
    var asked = permission === "default" ? window.Notification.requestPermission() : Promise.resolve(permission);
    Promise.resolve(asked).then(function (answer) {
      store(NOTIFY, answer === "granted");
      if (answer !== "granted") say(cues.dataset.notifyDenied);
      showOptions();
    });
  });

  document.addEventListener("live:marked", update);
  showOptions();
  update();
})();
