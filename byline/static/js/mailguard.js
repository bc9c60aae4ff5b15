/* Byline mailguard: turns the server's protected e-mail placeholders into mailto: links.
 *
 * The server writes each address as data-mailguard="<hex>": the first byte is a key, every
 * following byte is a UTF-8 byte of a mailto: URI XORed with it (fresh key per render). Links
 * get that URI as their href; elements marked data-mailguard-text, and spans, get the address
 * as their text. Without this script readers keep the server's label and contact-page link.
 * An element with data-mailguard-lead holds words written for those labels ("write to" Scott
 * Bekker); once every address beside it is decoded, it takes the attribute's words instead
 * ("e-mail me at" the address).
 */
(function () {
  "use strict";

  function decode(hex) {
    if (!/^(?:[0-9a-f]{2}){2,}$/i.test(hex)) return null;
    var key = parseInt(hex.substr(0, 2), 16);
    var bytes = new Uint8Array(hex.length / 2 - 1);
    for (var i = 0; i < bytes.length; i++) {
      bytes[i] = parseInt(hex.substr(2 + 2 * i, 2), 16) ^ key;
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (error) {
      return null;
    }
  }

  function addressOf(uri) {
    var to = uri.slice(7).split("?")[0];
    try {
      to = decodeURIComponent(to);
    } catch (error) {
      // a stray "%": show it as written
    }
    return to.split(",").join(", ");
  }

  function reveal(element) {
    var uri = decode(element.getAttribute("data-mailguard") || "");
    // Only ever a mailto: link, whatever a page's content managed to put in the attribute.
    if (uri === null || uri.slice(0, 7).toLowerCase() !== "mailto:") return;
    var tag = element.tagName.toLowerCase();
    if (tag === "a" || tag === "area") element.setAttribute("href", uri);
    if (tag === "span" || element.hasAttribute("data-mailguard-text")) {
      element.textContent = addressOf(uri);
    }
    element.removeAttribute("data-mailguard");
    element.removeAttribute("data-mailguard-text");
  }

  function switchLead(element) {
    var parent = element.parentNode;
    // An address left encoded keeps its label, and the words written for it.
    if (!parent || parent.querySelector("[data-mailguard]")) return;
    element.textContent = element.getAttribute("data-mailguard-lead");
    element.removeAttribute("data-mailguard-lead");
  }

  function run() {
    var elements = document.querySelectorAll("[data-mailguard]");
    for (var i = 0; i < elements.length; i++) reveal(elements[i]);
    var leads = document.querySelectorAll("[data-mailguard-lead]");
    for (var j = 0; j < leads.length; j++) switchLead(leads[j]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
