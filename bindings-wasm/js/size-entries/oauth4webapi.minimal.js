import * as oauth from "oauth4webapi";
const as = { issuer: "https://auth.example.com", token_endpoint: "https://auth.example.com/connect/token" };
const client = { client_id: "client" };
const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost("secret"), new URLSearchParams());
console.log((await oauth.processClientCredentialsResponse(as, client, response)).access_token);
