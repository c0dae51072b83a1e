import { describe, expect, it } from "vitest";
import { isLocalRequest, isLoopbackAddress, isLoopbackHost } from "./loopback.js";

const requestFrom = (remoteAddress: string | undefined, headers: Record<string, string> = { host: "localhost:3000" }) =>
  ({ socket: { remoteAddress }, headers }) as Parameters<typeof isLocalRequest>[0];

describe("loopback requests", () => {
  it("takes the peer from the socket: 127.0.0.0/8 and ::1, IPv4-mapped too", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "::FFFF:127.0.0.9"]) {
      expect(isLoopbackAddress(address), address).toBe(true);
      expect(isLocalRequest(requestFrom(address)), address).toBe(true);
    }
  });

  it("refuses any other peer, whatever X-Forwarded-For claims", () => {
    for (const address of ["192.0.2.1", "::ffff:192.0.2.1", "10.0.0.1", "::2", "fe80::1", "128.0.0.1", undefined]) {
      expect(isLoopbackAddress(address), String(address)).toBe(false);
      expect(isLocalRequest(requestFrom(address, { host: "localhost", "x-forwarded-for": "127.0.0.1" }))).toBe(false);
    }
  });

  it("refuses a Host that is not localhost, 127.0.0.1 or [::1], or none", () => {
    for (const host of ["evil.example", "localhost.evil.example", "evil@localhost", "localhost:80/x", "[::2]:3000"]) {
      expect(isLocalRequest(requestFrom("127.0.0.1", { host })), host).toBe(false);
    }
    expect(isLocalRequest(requestFrom("127.0.0.1", {}))).toBe(false);
  });

  it("knows a loopback HOST setting", () => {
    for (const host of ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "192.0.2.10", "example.com"]) expect(isLoopbackHost(host), host).toBe(false);
  });
});
