import init, { Client } from "./mapsindoors-auth-web/index.js";
await init();
const client = new Client({ customerId: "customer", clientId: "client", clientSecret: "secret" });
console.log((await client.token()).exposeAccessToken());
