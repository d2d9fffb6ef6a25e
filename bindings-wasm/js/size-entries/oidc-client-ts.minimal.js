import { OidcClient } from "oidc-client-ts";
const oidc = new OidcClient({ authority: "https://auth.example.com", client_id: "client", redirect_uri: "https://app.example.com/callback" });
console.log((await oidc.processSigninResponse(location.href)).access_token);
