"""Runs moto's server for the acceptance tests of terraform-provider-awsoidc.

moto 5.2 does not implement AddClientIDToOpenIDConnectProvider and
RemoveClientIDFromOpenIDConnectProvider, which the provider uses to change client
IDs in place. This launcher adds both to moto's IAM response class, makes moto
run one action at a time (see serialize_actions), then serves moto on a loopback
address.

Protocol with the parent process:
  * exit status 3 and a line starting with "moto-launcher: cannot import moto"
    on stderr when moto is not installed;
  * one line "moto-ready port=<port> version=<moto version>" on stdout once the
    server is listening;
  * the server stops when stdin reaches end of file, so it never outlives the
    process that started it, even if that process is killed.
"""

import argparse
import ipaddress
import logging
import sys
import threading

IMPORT_FAILED = 3

# The quota and lengths IAM applies to client IDs (IAM API reference,
# CreateOpenIDConnectProvider and AddClientIDToOpenIDConnectProvider).
MAX_CLIENT_IDS = 100
CLIENT_ID_MIN, CLIENT_ID_MAX = 1, 255
ARN_MIN, ARN_MAX = 20, 2048

# moto serves requests on several threads; a provider's client ID list is a
# plain Python list, so changes to it are serialized.
_client_ids_lock = threading.Lock()


def _length_errors(value, field, low, high):
    """Returns IAM's wording for a value outside [low, high] characters."""
    if value is None:
        return [f"Value null at '{field}' failed to satisfy constraint: Member must not be null"]
    errors = []
    if len(value) < low:
        errors.append(
            f"Value '{value}' at '{field}' failed to satisfy constraint: "
            f"Member must have length greater than or equal to {low}"
        )
    if len(value) > high:
        errors.append(
            f"Value '{value}' at '{field}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {high}"
        )
    return errors


def _validate(validation_error, arn, client_id):
    errors = _length_errors(arn, "openIDConnectProviderArn", ARN_MIN, ARN_MAX)
    errors += _length_errors(client_id, "clientID", CLIENT_ID_MIN, CLIENT_ID_MAX)
    if errors:
        plural = "s" if len(errors) > 1 else ""
        raise validation_error(
            f"{len(errors)} validation error{plural} detected: " + "; ".join(errors)
        )


def install_client_id_actions(response_class, empty_result, exceptions):
    """Adds the two client ID actions to moto's IAM response class.

    moto dispatches a query-protocol request to the method named after the
    action in snake case, with parameters parsed by botocore's IAM model, so
    adding the methods is all it takes. A moto release that implements the
    actions itself keeps its own implementation.
    """

    def add_client_id_to_open_id_connect_provider(self):
        arn = self._get_param("OpenIDConnectProviderArn")
        client_id = self._get_param("ClientID")
        _validate(exceptions.ValidationError, arn, client_id)
        provider = self.backend.get_open_id_connect_provider(arn)
        with _client_ids_lock:
            # IAM documents this call as idempotent: adding a present ID succeeds.
            if client_id not in provider.client_id_list:
                if len(provider.client_id_list) >= MAX_CLIENT_IDS:
                    raise exceptions.LimitExceededException(
                        "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: "
                        f"{MAX_CLIENT_IDS}"
                    )
                provider.client_id_list.append(client_id)
        return empty_result()

    def remove_client_id_from_open_id_connect_provider(self):
        arn = self._get_param("OpenIDConnectProviderArn")
        client_id = self._get_param("ClientID")
        _validate(exceptions.ValidationError, arn, client_id)
        provider = self.backend.get_open_id_connect_provider(arn)
        with _client_ids_lock:
            # Also idempotent: removing an absent ID succeeds.
            if client_id in provider.client_id_list:
                provider.client_id_list.remove(client_id)
        return empty_result()

    for method in (
        add_client_id_to_open_id_connect_provider,
        remove_client_id_from_open_id_connect_provider,
    ):
        if not hasattr(response_class, method.__name__):
            setattr(response_class, method.__name__, method)


def serialize_actions(base_response_class):
    """Runs one moto action at a time.

    moto's backends keep their objects in plain dicts shared by the server's
    threads, and some actions iterate them while others add to them: IAM's
    get_role walks every role, so GetRole (or any call naming a role) fails with
    "RuntimeError: dictionary changed size during iteration" and a 500 page when
    a few hundred roles are created and read at once. Under the interpreter's
    lock the actions hardly ran in parallel anyway. Every service's response
    class inherits _dispatch, looked up at each request, so wrapping it here
    covers every action.
    """
    lock = threading.Lock()
    dispatch = base_response_class._dispatch

    def serialized(self, *args, **kwargs):
        with lock:
            return dispatch(self, *args, **kwargs)

    base_response_class._dispatch = serialized


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument(
        "--verbose", action="store_true", help="log every request to stderr"
    )
    args = parser.parse_args(argv)

    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error(f"--host must be a loopback address, got {args.host}")

    try:
        import moto
        from moto.core.responses import BaseResponse, EmptyResult
        from moto.iam import exceptions
        from moto.iam.responses import IamResponse
        from moto.server import ThreadedMotoServer
    except ImportError as err:
        print(f"moto-launcher: cannot import moto: {err}", file=sys.stderr, flush=True)
        return IMPORT_FAILED

    install_client_id_actions(IamResponse, EmptyResult, exceptions)
    serialize_actions(BaseResponse)

    if not args.verbose:
        # Errors and tracebacks are still logged; the per-request lines are not.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(f"moto-ready port={port} version={moto.__version__}", flush=True)

    while sys.stdin.buffer.read(4096):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
