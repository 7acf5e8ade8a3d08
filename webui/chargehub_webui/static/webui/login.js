// Sign-in form: POST /api/v1/auth/session with the CSRF token, then open the page asked for.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login-form");
  const message = form.querySelector(".form-message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    form.querySelectorAll(".error").forEach((e) => (e.textContent = ""));
    const body = { phone: form.phone.value.trim(), password: form.password.value, remember: form.remember.checked };
    let missing = false;
    for (const name of ["phone", "password"]) {
      if (!body[name]) {
        form[name].closest(".field").querySelector(".error").textContent = UI.t("required");
        missing = true;
      }
    }
    if (missing) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const res = await UI.api("POST", "/api/v1/auth/session", body);
    button.disabled = false;
    if (res.ok) {
      window.location.href = form.dataset.next || "/admin/";
      return;
    }
    UI.fieldErrors(form, res, message);
  });
});
