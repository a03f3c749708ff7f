const form = document.getElementById("login");
const error = document.getElementById("login-error");
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  error.textContent = "";
  const body = { username: form.username.value.trim(), password: form.password.value };
  const resp = await fetch("/api/login", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (resp.ok) { location.href = "/"; return; }
  if (resp.status === 429) {
    const wait = resp.headers.get("Retry-After") || "?";
    error.textContent = `尝试次数过多，请 ${wait} 秒后再试 · Too many attempts, retry in ${wait}s`;
  } else {
    error.textContent = "账号或密码错误 · Wrong account or password";
  }
  form.password.value = "";
  form.password.focus();
});
