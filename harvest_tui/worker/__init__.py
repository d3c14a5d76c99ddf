"""The service worker: boto3 in a process of its own, beside the UI.

Importing botocore and building a client cost about 120 ms of CPU, as much as
Textual's whole start-up, and parsing a page of 100 jobs a few ms more, all under
the one GIL the interface needs to paint. In a second process that work runs on
another core: the first frame and the first data stop waiting for each other, and
a long list never stalls a key press.

- protocol.py: the messages (Call, Reply, Failure, Page, Retry, Setup) and framing;
- process.py: the worker process (`python -m harvest_tui.worker`);
- client.py: the UI's side: `ServiceWorker` (the process handle) and `WorkerBackend`
  (a `Backend` whose calls the worker makes).

If the worker cannot start, stops, or stops answering, calls run in the UI process.
"""
