/* Sales desk: keyboard shortcuts, search-as-you-type suggestion lists, adding lines with Enter,
   and keeping focus where the rep works. Needs only htmx, which the base template loads. */
(function () {
  "use strict";

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function deskForm() {
    return $("[data-desk-form]");
  }

  function click(selector) {
    var element = $(selector);
    if (element) element.click();
    return !!element;
  }

  function focusField(selector, select) {
    var element = $(selector);
    if (!element) return false;
    element.focus();
    if (select && element.select) element.select();
    return true;
  }

  /* --- shortcuts shown on screen --- */
  function onShortcut(event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var handled = false;
    if (event.code === "KeyN") {
      var link = $("[data-new-order-link]");
      if (link) {
        window.location.href = link.href;
        handled = true;
      }
    } else if (deskForm()) {
      if (event.code === "KeyC") handled = focusField("#customer-search", true);
      else if (event.code === "KeyL") handled = focusField("#add-code", true);
      else if (event.code === "KeyS") handled = click('[data-shortcut="KeyS"]');
      else if (event.key === "Enter") handled = click('[data-shortcut="Enter"]');
    }
    if (handled) event.preventDefault();
  }

  /* --- suggestion lists (customers and products) --- */
  function listFor(input) {
    var box = document.getElementById(input.getAttribute("aria-controls"));
    return box ? $("[role=listbox]", box) : null;
  }

  function options(list) {
    return list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : [];
  }

  function selected(list) {
    return list ? $('[role=option][aria-selected="true"]', list) : null;
  }

  function move(input, step) {
    var list = listFor(input);
    var all = options(list);
    if (!all.length) return;
    var current = all.indexOf(selected(list));
    var next = Math.max(0, Math.min(all.length - 1, current + step));
    all.forEach(function (option, index) {
      option.setAttribute("aria-selected", index === next ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", all[next].id);
    all[next].scrollIntoView({ block: "nearest" });
  }

  function closeList(input) {
    var box = document.getElementById(input.getAttribute("aria-controls"));
    if (box) box.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  /* The option to take on Enter, only when the list answers what is typed now. */
  function currentChoice(input) {
    var list = listFor(input);
    if (!list || list.getAttribute("data-query") !== input.value.trim()) return null;
    return selected(list);
  }

  /* --- customer --- */
  /* Focus the first new-customer field still empty (the search text already filled one). */
  function focusNewCustomer() {
    var empty = ["#id_customer-name", "#id_customer-email", "#id_customer-phone"]
      .map(function (s) { return $(s); })
      .filter(function (el) { return el && el.value === ""; })[0];
    if (empty) empty.focus();
    else focusField("#id_customer-name");
  }

  function chooseCustomer(option) {
    var input = $("#customer-search");
    var url = option.getAttribute("data-url");
    var isNew = option.getAttribute("data-kind") === "new-customer";
    closeList(input);
    window.htmx.ajax("GET", url, { target: "#customer-chosen", swap: "innerHTML" }).then(function () {
      if (isNew) {
        focusNewCustomer();
      } else {
        var card = $("[data-customer-card]");
        var vip = $("#id_is_vip");
        if (card && vip) vip.checked = card.getAttribute("data-vip") === "true";
        focusField("#add-code");
      }
    });
  }

  function onCustomerKeydown(event) {
    var input = event.target;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(input, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      var choice = currentChoice(input);
      if (choice) chooseCustomer(choice);
    } else if (event.key === "Escape") {
      closeList(input);
    }
  }

  /* --- lines --- */
  /* Lines sent and not answered yet, oldest first. A line is sent with the code and quantity
     as typed at Enter, and the fields are cleared at once, so the rep (or a scanner) can go
     on with the next line straight away: answers queue up and none of them touches what was
     typed since. A refused line comes back into the field only if the field is still empty. */
  var pending = [];
  var unsent = [];

  function addLine() {
    var input = $("#add-code");
    var qty = $("#add-qty");
    var choice = currentChoice(input);
    if (choice && choice.getAttribute("data-sku")) input.value = choice.getAttribute("data-sku");
    var line = { code: input.value, qty: qty ? qty.value : "1" };
    pending.push(line);
    unsent.push(line);
    input.value = "";
    if (qty) qty.value = "1";
    closeList(input);
    input.focus();
    click("#add-line-button");
  }

  /* A queued add request collects the form when it finally goes out: give it its own line. */
  function onConfigRequest(event) {
    var elt = event.detail.elt;
    if (!elt || elt.id !== "add-line-button") return;
    var line = unsent.shift();
    if (!line) return;
    event.detail.parameters.add_code = line.code;
    event.detail.parameters.add_qty = line.qty;
  }

  function onAddKeydown(event) {
    var input = event.target;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(input, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && !event.altKey) {
      event.preventDefault();
      if (input.value.trim() !== "") addLine();
    } else if (event.key === "Escape") {
      closeList(input);
    }
  }

  /* Count answered line requests on the form, so that anything waiting for one can tell. */
  function markLinesAnswered() {
    var form = deskForm();
    if (!form) return;
    form.setAttribute("data-lines-answered", String(Number(form.getAttribute("data-lines-answered") || 0) + 1));
  }

  /* Answer a sent line, in the same task as the swap of the lines. */
  function afterLines() {
    var line = pending.shift();
    var feedback = $("#add-line-feedback");
    var input = $("#add-code");
    var qty = $("#add-qty");
    if (line && input && feedback && feedback.getAttribute("data-add-status") === "error" &&
        input.value === "" && !pending.length) {
      input.value = line.code;
      if (qty) qty.value = line.qty;
      input.focus();
      input.select();
    }
    markLinesAnswered();
  }

  /* Enter in an ordinary field never sends the order by accident; in a quantity it applies it. */
  function onFormKeydown(event) {
    if (event.key !== "Enter" || event.altKey) return;
    var target = event.target;
    if (target.matches("[data-add-qty]")) {
      event.preventDefault();
      addLine();
    } else if (target.matches("[data-line-qty]")) {
      event.preventDefault();
      target.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (target.tagName === "INPUT" && !target.matches("[data-customer-search], [data-add-code]")) {
      event.preventDefault();
    }
  }

  function onFormChange(event) {
    var target = event.target;
    if (target.id === "id_shipping_method") {
      var price = target.getAttribute("data-price-" + target.value);
      var priceInput = $("#id_shipping_price");
      if (price !== null && priceInput) priceInput.value = price;
      click("#refresh-lines-button");
    } else if (target.id === "id_shipping_price" || target.id === "id_ship_policy") {
      click("#refresh-lines-button");
    } else if (target.id === "id_customer-name") {
      var shipName = $("#id_shipping_address-name");
      if (shipName && shipName.value === "") shipName.value = target.value;
    }
  }

  function onClick(event) {
    var option = event.target.closest("[role=option]");
    if (!option) return;
    if (option.getAttribute("data-kind") === "product") {
      $("#add-code").value = option.getAttribute("data-sku");
      addLine();
    } else {
      chooseCustomer(option);
    }
  }

  function bindDesk() {
    var form = deskForm();
    if (!form || form.getAttribute("data-bound") === "yes") return;
    form.setAttribute("data-bound", "yes");
    form.addEventListener("keydown", onFormKeydown);
    form.addEventListener("change", onFormChange);
    form.addEventListener("click", onClick);
    var search = $("#customer-search");
    if (search) search.addEventListener("keydown", onCustomerKeydown);
    var add = $("#add-code");
    if (add) add.addEventListener("keydown", onAddKeydown);
  }

  function init() {
    document.addEventListener("keydown", onShortcut);
    document.body.addEventListener("htmx:configRequest", onConfigRequest);
    bindDesk();
    var form = deskForm();
    if (form) {
      var firstError = $(".is-invalid", form);
      if (firstError) firstError.focus();
      else focusField("#customer-search");
    }
    /* Focus moves in htmx:afterSwap, in the same task as the swap: htmx has put focus back
       where it was just before, and no keystroke can slip in between (settle comes later). */
    document.body.addEventListener("htmx:afterSwap", function (event) {
      // Sent once for each element swapped in (out-of-band ones too): act on the element.
      var target = event.target;
      if (!target || !target.id) return;
      if (target.id === "customer-results" || target.id === "product-results") {
        var input = document.querySelector('[aria-controls="' + target.id + '"]');
        var list = $("[role=listbox]", target);
        // An answer for text no longer in the field (the rep typed on, or the line was added).
        if (input && list && list.getAttribute("data-query") !== input.value.trim()) {
          closeList(input);
          return;
        }
        if (input) input.setAttribute("aria-expanded", list ? "true" : "false");
        return;
      }
      var fresh = deskForm();
      if (fresh && fresh.getAttribute("data-bound") !== "yes") {
        // The whole form came back refused: bind it and show the first field to fix. (Its
        // classes settle later; aria-invalid is there at once.)
        bindDesk();
        var error = $("[aria-invalid=true]", fresh) || $("#desk-errors");
        if (error) error.focus();
        return;
      }
      if (target.id === "desk-lines") {
        var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
        if (elt && elt.id === "add-line-button") afterLines();
        else markLinesAnswered();
      } else if (target.id === "customer-chosen" && $("[data-focus-new]", target)) {
        var active = document.activeElement;
        if (!active || !target.contains(active)) focusNewCustomer();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
