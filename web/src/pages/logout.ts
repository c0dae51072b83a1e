import type { APIRoute } from "astro";
import { endSession } from "../lib/session";

/** POST /logout: forgets the token (the middleware has checked the Origin) and goes home. */
export const POST: APIRoute = ({ cookies, locals, redirect }) => {
  endSession(cookies, locals.secureCookies);
  return redirect("/", 303);
};
