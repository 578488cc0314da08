/** ssh2 authentication method names the collector uses. */
export type AuthMethod = "none" | "publickey" | "password" | "keyboard-interactive";

/**
 * The order of login attempts on one connection, as an ssh2 `authHandler`: `none` first (the
 * server answers with the methods it accepts), then the private key, then the password, then
 * keyboard-interactive answered with the password, each only when the server still offers it.
 * Keyboard-interactive is skipped when the password method was already refused: it would send
 * the same password again and, with PAM's failure delay, turn a wrong password into a timeout.
 */
export function authSequence(credentials: {
  readonly password: boolean;
  readonly privateKey: boolean;
}): (methodsLeft: readonly string[] | null) => AuthMethod | false {
  const tried = new Set<AuthMethod>();
  const order: AuthMethod[] = [
    ...(credentials.privateKey ? (["publickey"] as const) : []),
    ...(credentials.password ? (["password", "keyboard-interactive"] as const) : []),
  ];
  return (methodsLeft) => {
    if (methodsLeft === null && !tried.has("none")) {
      tried.add("none");
      return "none";
    }
    for (const method of order) {
      if (tried.has(method) || (methodsLeft !== null && !methodsLeft.includes(method))) continue;
      if (method === "keyboard-interactive" && tried.has("password")) continue;
      tried.add(method);
      return method;
    }
    return false;
  };
}
