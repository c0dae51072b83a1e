import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { sameProcessUrl } from "./mount.js";

const socket = { localPort: 4321, localAddress: "192.0.2.7" } as Socket;

describe("sameProcessUrl", () => {
  it("calls the API over loopback when the server listens on every interface", () => {
    expect(sameProcessUrl("0.0.0.0", socket)).toBe("http://127.0.0.1:4321");
    expect(sameProcessUrl("::", socket)).toBe("http://127.0.0.1:4321");
  });

  it("uses the listening address when it is a specific one", () => {
    expect(sameProcessUrl("127.0.0.1", socket)).toBe("http://127.0.0.1:4321");
    expect(sameProcessUrl("::1", socket)).toBe("http://[::1]:4321");
  });
});
