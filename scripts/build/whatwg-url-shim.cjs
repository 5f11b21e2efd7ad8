/**
 * Stands in for `whatwg-url` in the bundles. node-fetch 2 (inside telegraf) imports it only as
 * a fallback for runtimes without a global URL (`Url.URL || whatwgUrl.URL`); Node has had one
 * for years, and the real package drags ~290 KB of tr46/punycode tables into every bundle.
 */
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
