export * from "@azure/msal-browser";
