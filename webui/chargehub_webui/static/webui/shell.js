// The admin shell: sign out, change password, local times of [data-datetime].
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-datetime]").forEach((node) => {
    if (node.dataset.datetime) node.textContent = UI.datetime(node.dataset.datetime);
  });
  const signOut = document.getElementById("sign-out");
  if (signOut) signOut.addEventListener("click", async () => {
    await UI.api("DELETE", "/api/v1/auth/session");
    window.location.href = "/admin/login";
  });
  const dialog = document.getElementById("password-dialog");
  const opener = document.getElementById("change-password");
  if (!dialog || !opener) return;
  const form = document.getElementById("password-form");
  const message = form.querySelector(".form-message");
  const clear = () => {
    message.textContent = "";
    form.querySelectorAll(".error").forEach((e) => (e.textContent = ""));
  };
  opener.addEventListener("click", () => { form.reset(); clear(); dialog.showModal(); });
  form.querySelector('button[value="cancel"]').addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear();
    const res = await UI.api("POST", "/api/v1/auth/password",
                             { old_password: form.old_password.value, new_password: form.new_password.value });
    if (res.ok) {
      dialog.close();
      UI.toast(UI.t("saved"));
      return;
    }
    UI.fieldErrors(form, res, message);
  });
});
