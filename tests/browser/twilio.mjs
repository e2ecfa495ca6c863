// A resident's phone for browser tests: posts Twilio's inbound-SMS webhook
// to the gateway, signed exactly as Twilio signs it (HMAC-SHA1 of the public
// URL followed by the sorted parameters, keyed with the auth token).
import { createHmac, randomBytes } from "node:crypto";
import { env } from "./support.mjs";

function sign(authToken, url, params) {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join("");
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

/** Texts Batline from `from`; resolves once the gateway has accepted it. */
export async function sendSms(from, body) {
  const sid = "SM" + randomBytes(16).toString("hex");
  const params = {
    SmsMessageSid: sid, SmsSid: sid, MessageSid: sid, NumMedia: "0", SmsStatus: "received", NumSegments: "1",
    AccountSid: env("TWILIO_ACCOUNT_SID"), From: from, To: env("BATLINE_NUMBER"), Body: body,
    ApiVersion: "2010-04-01", FromCountry: "FI", ToCountry: "FI",
  };
  const path = "/twilio/sms";
  const signature = sign(env("TWILIO_AUTH_TOKEN"), env("PUBLIC_URL").replace(/\/$/, "") + path, params);
  const response = await fetch(env("GATEWAY") + path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature },
    body: new URLSearchParams(params).toString(),
  });
  if (!response.ok) throw new Error(`the gateway refused the SMS webhook: ${response.status} ${await response.text()}`);
}
