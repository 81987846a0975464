// The transformation step: any activity, of any version, into one shape. The page is the URL's
// path (no query, no trailing slash, lower case), the device is guessed from the user agent.
export type Device = "desktop" | "mobile" | "tablet" | "bot";

/** The page's path; undefined for a URL that is not a web page (ftp:, mailto:, ...). */
export function pageOf(url: string): string | undefined {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return undefined;
  const path = parsed.pathname.toLowerCase().replace(/\/+$/, "");
  return path === "" ? "/" : path;
}

export function deviceOf(userAgent: string): Device {
  if (/bot|crawler|spider|headless/i.test(userAgent)) return "bot";
  if (/ipad|tablet/i.test(userAgent)) return "tablet";
  if (/mobile|iphone|android/i.test(userAgent)) return "mobile";
  return "desktop";
}
