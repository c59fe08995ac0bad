// Read-aloud: the page's main text, passage by passage, each in its own language. The browser's own
// voice speaks where it has one for the language; otherwise the web app's audio (espeak-ng, see
// routes/speech.py) plays. Where neither has a voice, the button gives way to a note saying so.
// The passage being read is marked on the page, so a reader can follow along.

const BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, dt, dd, th, td, caption, figcaption, blockquote";
const SKIPPED = [
  "script", "style", "form", "nav", "button", "select", "textarea", "[hidden]", "[aria-hidden=true]",
  "[popover]", "[data-read-aloud]", ".feedback", ".gap", ".filters", ".directory-tools", ".map-box",
].join(", ");
const SENTENCE_END = /(?<=[.!?؟۔。！？])\s+/u;

function primary(code) {
  return (code || "").toLowerCase().split(/[-_]/)[0];
}

// Dari is read by a Persian voice; Chinese voices name their language zh-CN, zh-TW...
const VOICE_LANGUAGES = { prs: ["prs", "fa"], fa: ["fa", "prs"] };

function browserVoice(language) {
  if (!("speechSynthesis" in window)) return null;
  const wanted = VOICE_LANGUAGES[language] || [language];
  const voices = window.speechSynthesis.getVoices();
  for (const code of wanted) {
    const voice = voices.find((v) => primary(v.lang) === code);
    if (voice) return voice;
  }
  return null;
}

// Browsers list their voices a moment after the page loads (Chrome fires `voiceschanged`).
function voicesReady() {
  if (!("speechSynthesis" in window) || window.speechSynthesis.getVoices().length) return Promise.resolve();
  return new Promise((resolve) => {
    window.speechSynthesis.addEventListener("voiceschanged", resolve, { once: true });
    setTimeout(resolve, 1000);
  });
}

// A long sentence is cut at its last space before the limit (or at the limit, in scripts without spaces).
function cut(sentence, max) {
  const pieces = [];
  let rest = sentence;
  while (rest.length > max) {
    const space = rest.lastIndexOf(" ", max);
    const at = space > max / 2 ? space : max;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

// Passages of at most `max` characters, made of whole sentences where they fit.
function split(text, max) {
  if (text.length <= max) return [text];
  const parts = [];
  let current = "";
  for (const sentence of text.split(SENTENCE_END)) {
    for (const piece of cut(sentence, max)) {
      if (current && current.length + piece.length + 1 > max) {
        parts.push(current);
        current = "";
      }
      current = current ? `${current} ${piece}` : piece;
    }
  }
  if (current) parts.push(current);
  return parts.map((part) => part.trim()).filter(Boolean);
}

// The passages to read: the innermost text blocks of the page's main part, in order, outside forms,
// menus and closed boxes, each with the language it is written in.
function passages(root, fallbackLanguage, max) {
  const found = [];
  for (const block of root.querySelectorAll(BLOCKS)) {
    if (block.closest(SKIPPED) || block.querySelector(BLOCKS)) continue;
    const text = block.innerText.replace(/\s+/g, " ").trim();
    if (!text) continue;
    const language = primary(block.closest("[lang]")?.getAttribute("lang")) || fallbackLanguage;
    for (const part of split(text, max)) found.push({ block, text: part, language });
  }
  return found;
}

class Reader {
  constructor(box) {
    this.box = box;
    this.button = box.querySelector("[data-read-button]");
    this.status = box.querySelector("[data-read-status]");
    this.language = primary(box.dataset.lang);
    this.serverVoices = new Set((box.dataset.voices || "").split(" ").filter(Boolean));
    this.max = Number(box.dataset.max) || 500;
    this.reading = false;
    this.audio = null;
  }

  canRead(language) {
    return Boolean(browserVoice(language)) || this.serverVoices.has(language);
  }

  mark(block) {
    document.querySelectorAll(".is-reading").forEach((element) => element.classList.remove("is-reading"));
    if (block) {
      block.classList.add("is-reading");
      block.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  speakInBrowser(passage, voice) {
    return new Promise((resolve, reject) => {
      const utterance = new SpeechSynthesisUtterance(passage.text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      utterance.addEventListener("end", resolve);
      utterance.addEventListener("error", (event) => (event.error === "interrupted" || event.error === "canceled" ? resolve() : reject(event.error)));
      window.speechSynthesis.speak(utterance);
    });
  }

  audioFor(passage) {
    const address = `/speech/${encodeURIComponent(passage.language)}?text=${encodeURIComponent(passage.text)}`;
    const audio = new Audio();
    audio.preload = "auto";
    audio.src = address;
    return audio;
  }

  playFromServer(audio) {
    return new Promise((resolve, reject) => {
      this.audio = audio;
      audio.addEventListener("ended", resolve, { once: true });
      audio.addEventListener("error", () => reject(new Error("audio")), { once: true });
      audio.addEventListener("playing", () => (this.box.dataset.state = "playing"), { once: true });
      audio.play().catch(reject);
    });
  }

  async read() {
    this.reading = true;
    this.button.dataset.reading = "true";
    this.button.textContent = this.box.dataset.stop;
    this.status.hidden = true;
    this.box.dataset.state = "loading";
    const main = document.querySelector("main") || document.body;
    const queue = passages(main, this.language, this.max).filter((passage) => this.canRead(passage.language));
    let next = null;
    try {
      for (let i = 0; i < queue.length && this.reading; i += 1) {
        const passage = queue[i];
        this.mark(passage.block);
        const voice = browserVoice(passage.language);
        if (voice) {
          this.box.dataset.state = "playing";
          await this.speakInBrowser(passage, voice);
          continue;
        }
        const audio = next && next.passage === passage ? next.audio : this.audioFor(passage);
        // Ask for the following passage while this one plays, so there is no gap between them.
        const following = queue[i + 1];
        next = following && !browserVoice(following.language) ? { passage: following, audio: this.audioFor(following) } : null;
        await this.playFromServer(audio);
      }
    } catch {
      this.status.textContent = this.box.dataset.failed;
      this.status.hidden = false;
    }
    this.stop();
  }

  stop() {
    this.reading = false;
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
    if (this.audio) this.audio.pause();
    this.audio = null;
    this.mark(null);
    this.box.dataset.state = "idle";
    this.button.dataset.reading = "false";
    this.button.textContent = this.box.dataset.read;
  }

  async start() {
    await voicesReady();
    this.box.hidden = false;
    if (!this.canRead(this.language)) {
      this.box.querySelector("[data-read-note]").hidden = false;
      return;
    }
    this.button.hidden = false;
    this.button.addEventListener("click", () => (this.reading ? this.stop() : this.read()));
  }
}

const box = document.querySelector("[data-read-aloud]");
if (box) new Reader(box).start();
