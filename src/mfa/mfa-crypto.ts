import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

/**
 * Keys for the second factor. TOTP secrets are stored encrypted with AES-256-GCM, and recovery
 * codes as HMAC-SHA256, both under a key from MFA_KEY or, without it, derived from JWT_SECRET with
 * HKDF (so a stolen database alone reveals neither).
 */
export interface MfaKeys {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  /** The stored form of a recovery code. */
  hashCode(code: string): string;
}

export function createMfaKeys(secret: string): MfaKeys {
  const derive = (info: string) =>
    Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), "portico/mfa", info, 32));
  const encryptionKey = derive("totp-secret-encryption");
  const hashKey = derive("recovery-code-hash");
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", encryptionKey, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return [
        "v1",
        iv.toString("base64url"),
        cipher.getAuthTag().toString("base64url"),
        body.toString("base64url"),
      ].join(".");
    },
    decrypt(sealed) {
      const [version, iv, tag, body] = sealed.split(".");
      if (version !== "v1" || !iv || !tag || !body) throw new Error("unknown sealed-secret format");
      const decipher = createDecipheriv("aes-256-gcm", encryptionKey, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    },
    hashCode: (code) => createHmac("sha256", hashKey).update(code).digest("hex"),
  };
}
