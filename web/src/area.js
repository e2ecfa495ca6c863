// The "which area am I in" page's one script: the "use my location" button.
// Nothing is asked before the resident presses it; then the browser asks
// for permission, and the one point it gives is posted to the server in the
// page's own form. Without a geolocation-capable browser the button stays
// hidden and the address form is the way.
(() => {
  "use strict";
  const form = document.getElementById("share");
  const button = document.getElementById("share-button");
  const status = document.getElementById("share-status");
  if (!form || !button || !status || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    button.disabled = true;
    status.textContent = form.dataset.asking || "";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        document.getElementById("share-lat").value = String(position.coords.latitude);
        document.getElementById("share-lon").value = String(position.coords.longitude);
        form.submit();
      },
      () => {
        button.disabled = false;
        status.textContent = form.dataset.denied || "";
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
    );
  });
})();
