// Rep search boxes (people.forms.RepSearchInput): as the user types, the reps they may see
// that match are fetched and offered in the box's <datalist>. Picking one fills the box with
// "Name (rep id)", which the server reads back. Without this script, a whole rep id or a full
// name typed in still works. A box that adds to a list of reps (people.forms.RepsSearchInput,
// data-rep-add-to) appends the picked rep as a line of that list and empties itself.
(function () {
  "use strict";

  function attach(input) {
    if (input.dataset.repPickerReady) return;
    input.dataset.repPickerReady = "1";
    const options = document.getElementById(input.getAttribute("list"));
    const url = input.dataset.repSuggest;
    let timer = null;
    let asked = null;
    let controller = null;

    async function suggest() {
      const text = input.value.trim();
      if (!text || text === asked || /\([^()]+\)$/.test(text)) return;
      asked = text;
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(url + "?q=" + encodeURIComponent(text), {
          headers: { Accept: "application/json" },
          signal: controller.signal,
        });
        if (!response.ok) return;
        const data = await response.json();
        options.replaceChildren(
          ...data.results.map(function (rep) {
            const option = document.createElement("option");
            option.value = rep.label;
            return option;
          })
        );
      } catch (error) {
        if (error.name !== "AbortError") throw error;
      }
    }

    if (input.dataset.repAddTo) {
      // Enter in the box adds what is typed as a line (the server checks each line) rather
      // than submitting the form with the text lost.
      input.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault();
        if (input.value.trim()) addLine(document.getElementById(input.dataset.repAddTo), input.value.trim());
        input.value = "";
        asked = null;
        options.replaceChildren();
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      const picked = Array.from(options.options).some(function (o) { return o.value === input.value; });
      if (picked && input.dataset.repAddTo) {
        addLine(document.getElementById(input.dataset.repAddTo), input.value);
        input.value = "";
        asked = null;
        options.replaceChildren();
        return;
      }
      if (picked && input.dataset.submitOnPick && input.form) {
        input.form.requestSubmit();
        return;
      }
      timer = setTimeout(suggest, 150);
    });
  }

  function addLine(list, label) {
    const lines = list.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
    if (!lines.includes(label)) lines.push(label);
    list.value = lines.join("\n");
    list.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function attachAll(root) {
    root.querySelectorAll("input[data-rep-suggest]").forEach(attach);
  }

  document.addEventListener("DOMContentLoaded", function () { attachAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { attachAll(event.target); });
})();
