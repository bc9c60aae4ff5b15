// Proof of work (ALTCHA) for sites under attack: while the reader writes, find the number the
// server hid in its challenge and put the answer in the form's hidden "altcha" field
// (byline/comments/proof_of_work.py has the protocol). When the site has it off, the
// challenge address answers 204 and nothing happens. Without this file, or in a browser
// without Web Crypto, comments still go through: they wait for a moderator instead.
// The same file runs as the Web Worker that does the hashing, off the page's main thread.
(function () {
  "use strict";

  function hex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  async function solve(challenge) {
    var encoder = new TextEncoder();
    for (var number = 0; number <= challenge.maxnumber; number++) {
      var digest = await crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + number));
      if (hex(digest) === challenge.challenge) {
        return number;
      }
    }
    return null;
  }

  if (typeof document === "undefined") {
    // In the worker: solve what the page sends.
    self.onmessage = function (event) {
      solve(event.data).then(function (number) { self.postMessage(number); });
    };
    return;
  }

  var script = document.currentScript;
  var form = document.getElementById("comment-form");
  if (!form || !form.dataset.challengeUrl || !window.crypto || !crypto.subtle) {
    return;
  }
  var field = form.querySelector("input[name=altcha]");
  var working = null;  // the promise of the solution being worked on
  var sending = false;
  var off = false;  // the site answered that proof of work is off

  function inWorker(challenge) {
    return new Promise(function (resolve) {
      var worker;
      try {
        worker = new Worker(script.src);
      } catch (error) {  // e.g. static files served from another origin
        resolve(solve(challenge));
        return;
      }
      worker.onmessage = function (event) {
        worker.terminate();
        resolve(event.data);
      };
      worker.onerror = function () {
        worker.terminate();
        resolve(solve(challenge));
      };
      worker.postMessage(challenge);
    });
  }

  function expiresIn(challenge) {
    var match = /[?&]expires=(\d+)/.exec(challenge.salt);
    return match ? Number(match[1]) * 1000 - Date.now() : 0;
  }

  function start() {
    working = fetch(form.dataset.challengeUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.status === 200 ? response.json() : null; })
      .then(function (challenge) {
        if (!challenge) {
          off = true;
          return;
        }
        return inWorker(challenge).then(function (number) {
          if (number === null) {
            return;
          }
          field.value = btoa(JSON.stringify({
            algorithm: challenge.algorithm,
            challenge: challenge.challenge,
            number: number,
            salt: challenge.salt,
            signature: challenge.signature
          }));
          form.dataset.proofOfWork = "solved";
          // A page left open past the challenge's hour gets a fresh one in time.
          setTimeout(function () { field.value = ""; start(); },
                     Math.max(expiresIn(challenge) - 300000, 60000));
        });
      })
      .catch(function () { /* no answer: the server holds the comment instead */ });
  }

  form.addEventListener("focusin", function () {
    if (!working) {
      start();
    }
  });
  // Sent before the answer was found (a fast typist, a slow phone): wait for it a little.
  form.addEventListener("submit", function (event) {
    if (sending || off || field.value || !working) {
      return;
    }
    event.preventDefault();
    sending = true;
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    var timeout = new Promise(function (resolve) { setTimeout(resolve, 15000); });
    Promise.race([working, timeout]).then(function () {
      if (button) {
        button.disabled = false;
      }
      HTMLFormElement.prototype.submit.call(form);
    });
  });
})();
