// Call reviews: a comment's timestamp seeks the recording's player and plays from there;
// while a recording plays (or is paused), the comment form's time follows the player.
(function () {
  "use strict";

  function stamp(seconds) {
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    var ss = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + ss : m + ":" + ss;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.seek[data-player]");
    if (!button) return;
    var player = document.getElementById(button.dataset.player);
    if (!player) return;
    player.currentTime = Number(button.dataset.seconds) || 0;
    var playing = player.play();
    if (playing && playing.catch) playing.catch(function () {});
  });

  document.querySelectorAll("audio.recording, video.recording").forEach(function (player) {
    var id = player.id.replace("recording-", "");
    var field = document.getElementById("id_at_" + id);
    if (!field) return;
    var follow = function () { field.value = stamp(player.currentTime); };
    player.addEventListener("pause", follow);
    player.addEventListener("seeked", follow);
  });
})();
