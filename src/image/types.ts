import type { Readable } from 'node:stream';

/** The OCI image config (application/vnd.oci.image.config.v1+json), the fields Vigil reads. */
export interface OciImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: {
    User?: string;
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown> | null;
    Healthcheck?: unknown;
  };
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
}

/** One layer of an image, not yet read. */
export interface LayerSource {
  /** 0-based position in the image. */
  index: number;
  /** Digest of the blob as stored (compressed for registries and OCI layouts). */
  digest: string;
  /** Digest of the uncompressed tar, from the config's rootfs.diff_ids. */
  diffId: string;
  mediaType: string;
  /** Blob size in bytes, when the manifest gives it. */
  size?: number;
  /**
   * Opens the blob as stored. The stream fails with a VigilError ('digest-mismatch') at its end
   * when the bytes do not hash to `digest`, so no unverified data is ever accepted silently.
   */
  open(): Promise<Readable>;
}

export interface ResolvedImage {
  /** The reference as the user gave it (normalised). */
  name: string;
  /** Digest of the manifest that was selected (for an index: the platform's manifest). */
  manifestDigest?: string;
  /** Digest of the config blob: the image ID. */
  configDigest: string;
  config: OciImageConfig;
  layers: LayerSource[];
  /** os/arch[/variant] of the selected manifest. */
  platform: string;
  repoTags: string[];
  repoDigests: string[];
  /** Releases files and sockets; safe to call twice. */
  close(): Promise<void>;
}

export interface ImageOptions {
  /** "linux/amd64" (default), "linux/arm64/v8", ... */
  platform?: string;
  /** Allow plain HTTP and unverified TLS for registries. */
  insecure?: boolean;
  username?: string;
  password?: string;
  /** Extra CA certificates (PEM file paths) to trust for registries. */
  caFiles?: string[];
  /** Extra CA certificates as PEM text (the controller keeps them in its database). */
  caPems?: string[];
  /** Use HTTPS_PROXY/HTTP_PROXY/NO_PROXY from the environment (default true). */
  useProxy?: boolean;
  /** The registry speaks plain HTTP (a controller registry configured with an http:// URL). */
  plainHttp?: boolean;
  /** Per-request timeout (ms) for registry calls; default 60 s for headers, 10 min for blobs idle. */
  timeoutMs?: number;
  /** Retries for 429/5xx/network errors (default 4). */
  retries?: number;
}
