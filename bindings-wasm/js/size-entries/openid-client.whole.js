export * from "openid-client";
