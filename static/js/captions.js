// A podcast's captions, one line under the player: browsers show captions only over a video.
document.querySelectorAll("audio[data-captions]").forEach((audio) => {
  const line = document.getElementById(audio.dataset.captions);
  const chosen = audio.querySelector("track[default]") || audio.querySelector("track");
  const track = chosen && chosen.track;
  if (!line || !track) return;
  track.mode = "hidden"; // loaded and followed, drawn by us
  track.addEventListener("cuechange", () => {
    const cue = track.activeCues && track.activeCues[0];
    line.textContent = cue ? cue.getCueAsHTML().textContent : "";
    line.hidden = !cue;
  });
});
