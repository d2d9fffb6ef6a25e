import * as client from "openid-client";
const server = { issuer: "https://auth.example.com", token_endpoint: "https://auth.example.com/connect/token" };
const config = new client.Configuration(server, "client", "secret");
console.log((await client.clientCredentialsGrant(config)).access_token);
