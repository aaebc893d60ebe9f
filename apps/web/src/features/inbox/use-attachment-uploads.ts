"use client";

import type { UploadedAttachmentDto } from "@tandem/contracts";
import { useCallback, useEffect, useRef, useState } from "react";
import { errorMessage } from "@/lib/api";
import { type AttachTarget, checkFiles, mimeOf } from "./attachment-check";
import { uploadAttachment } from "./queries";

/** A file the agent attached to the reply being written: uploading, uploaded, or refused by the server. */
export interface PendingAttachment {
  key: string;
  file: File;
  /** An object URL of the file itself, for an image's thumbnail. */
  previewUrl: string | null;
  /** Share uploaded, 0 to 1. */
  progress: number;
  uploaded: UploadedAttachmentDto | null;
  error: string | null;
}

let nextKey = 0;

/**
 * The files attached to a reply: each is checked against the channel's rules, then uploaded at once
 * (`POST /conversations/{id}/attachments`); the reply is sent with the uploaded ids. Refused files are
 * never uploaded: `refusals` says why, naming the limits. Removing a file cancels its upload.
 */
export function useAttachmentUploads(conversationId: string, target: AttachTarget) {
  const [items, setItems] = useState<PendingAttachment[]>([]);
  const [refusals, setRefusals] = useState<string[]>([]);
  const controllers = useRef(new Map<string, AbortController>());
  const previews = useRef(new Map<string, string>());
  const count = useRef(0);
  count.current = items.length;

  const update = useCallback((key: string, change: Partial<PendingAttachment>) => {
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...change } : item)));
  }, []);

  const forget = useCallback((key: string) => {
    controllers.current.get(key)?.abort();
    controllers.current.delete(key);
    const url = previews.current.get(key);
    if (url) URL.revokeObjectURL(url);
    previews.current.delete(key);
  }, []);

  const add = (files: readonly File[]) => {
    const { accepted, refusals: refused } = checkFiles(files, target, count.current);
    setRefusals(refused);
    if (accepted.length === 0) return;
    const added = accepted.map((file): PendingAttachment => {
      const key = `att-${++nextKey}`;
      const previewUrl = mimeOf(file).startsWith("image/") ? URL.createObjectURL(file) : null;
      if (previewUrl) previews.current.set(key, previewUrl);
      return { key, file, previewUrl, progress: 0, uploaded: null, error: null };
    });
    count.current += added.length;
    setItems((list) => [...list, ...added]);
    for (const item of added) {
      const controller = new AbortController();
      controllers.current.set(item.key, controller);
      uploadAttachment(conversationId, item.file, {
        signal: controller.signal,
        onProgress: (progress) => update(item.key, { progress }),
      }).then(
        (uploaded) => update(item.key, { uploaded, progress: 1 }),
        (cause) => {
          if (controller.signal.aborted) return;
          update(item.key, { error: errorMessage(cause) });
        },
      );
    }
  };

  const remove = (key: string) => {
    forget(key);
    setItems((list) => list.filter((item) => item.key !== key));
  };

  /** After the reply went out: the chips go, the uploads are the message's now. */
  const clear = () => {
    for (const item of items) forget(item.key);
    setItems([]);
    setRefusals([]);
  };

  useEffect(() => {
    const open = { controllers: controllers.current, previews: previews.current };
    return () => {
      for (const controller of open.controllers.values()) controller.abort();
      for (const url of open.previews.values()) URL.revokeObjectURL(url);
    };
  }, []);

  return {
    items,
    refusals,
    /** Shows why nothing can be attached (a drop or paste while the paperclip is disabled). */
    refuse: (reason: string) => setRefusals([reason]),
    dismissRefusals: () => setRefusals([]),
    add,
    remove,
    clear,
    ids: items.flatMap((item) => (item.uploaded ? [item.uploaded.id] : [])),
    uploading: items.some((item) => !item.uploaded && !item.error),
    failed: items.some((item) => item.error !== null),
  };
}
