// Sign-in with Cognito's USER_PASSWORD_AUTH flow, straight from the browser; the session lives in sessionStorage
// (gone when the tab closes). The API's JWT authorizer takes the ID token, which also carries email and groups.

import { UserError } from "./errors.js";

const STORAGE_KEY = "retail.session";
const CLOCK_SKEW_MS = 10_000; // treat a token as expired slightly early rather than have a call refused

// Cognito's refusals, each as the catalogue's text key
const COGNITO_MESSAGES = {
  NotAuthorizedException: "signin.wrongPassword",
  UserNotFoundException: "signin.wrongPassword",
  UserNotConfirmedException: "signin.notConfirmed",
  PasswordResetRequiredException: "signin.resetRequired",
  TooManyRequestsException: "signin.tooMany",
  LimitExceededException: "signin.tooMany",
  InvalidParameterException: "signin.missing",
};

async function cognito(config, action, payload) {
  let response;
  try {
    response = await fetch(config.cognitoEndpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(payload),
    });
  } catch {
    throw new UserError("signin.unreachable");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = String(data.__type ?? "")
      .split("#")
      .pop();
    throw new UserError(COGNITO_MESSAGES[type] ?? "signin.failed", { status: response.status });
  }
  return data;
}

/** The payload of a JWT (not verified here: the API verifies every token it gets). */
export function claimsOf(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function sessionFrom(result) {
  const claims = claimsOf(result.IdToken);
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    email: claims.email ?? claims["cognito:username"] ?? "",
    groups: claims["cognito:groups"] ?? [],
    expiresAt: claims.exp * 1000,
  };
}

export async function signIn(config, email, password) {
  const data = await cognito(config, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: config.clientId,
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  if (!data.AuthenticationResult) {
    // e.g. NEW_PASSWORD_REQUIRED: an administrator created the account with a temporary password
    throw new UserError("signin.challenge");
  }
  const session = sessionFrom(data.AuthenticationResult);
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

/** Revokes the tokens at Cognito (best effort: the local session is forgotten anyway). */
export async function signOut(config, session) {
  forget();
  try {
    await cognito(config, "GlobalSignOut", { AccessToken: session.accessToken });
  } catch {
    // already expired or unreachable: nothing more to do here
  }
}

export function readSession() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
  } catch {
    return null;
  }
}

export function isLive(session) {
  return Boolean(session?.idToken) && session.expiresAt - CLOCK_SKEW_MS > Date.now();
}

export function forget() {
  sessionStorage.removeItem(STORAGE_KEY);
}
