import { PublicClientApplication } from "@azure/msal-browser";
const pca = new PublicClientApplication({ auth: { clientId: "client", authority: "https://login.microsoftonline.com/common" } });
await pca.initialize();
const account = pca.getAllAccounts()[0];
console.log((await pca.acquireTokenSilent({ scopes: ["User.Read"], account })).accessToken);
