import "ol/ol.css";
import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { setIdentityHeaders } from "./lib/identity-headers.ts";
import { identity } from "./state/identity.svelte.ts";

// Every REST call and upload says who is asking (the token decides what is allowed).
setIdentityHeaders(() => identity.headers());

const target = document.getElementById("app");
if (!target) throw new Error("#app is missing from index.html");
mount(App, { target });
