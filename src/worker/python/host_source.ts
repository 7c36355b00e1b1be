/**
 * The Python side of a Python component (Crossbar's `type: class` and
 * `type: function`): the source of a small host program, shipped inside xbar
 * as this string so that it runs the same from source, from the compiled
 * executable and from the launcher (no file to find at run time).
 *
 * The worker runs it as `python3 -c <bootstrap>` with the source in the
 * environment variable `XBAR_PYTHON_HOST` and the component in
 * `XBAR_PYTHON_COMPONENT` (JSON); both are removed from the environment before
 * any user code runs. It does what Crossbar's container and router workers do
 * for such a component, with Autobahn|Python under Twisted:
 *
 * - prepends `pythonpath` (absolute) to `sys.path`, imports the class named
 *   by `classname` (it must derive from `autobahn.twisted.wamp.ApplicationSession`)
 *   or, for `function`, the `callbacks` (join/leave/connect/disconnect);
 * - creates the session with `ComponentConfig(realm, extra)` (`extra.cbdir`
 *   is the node directory, as in Crossbar);
 * - connects it over the transport: `stdio` (RawSocket over its own stdin and
 *   stdout, for router components: the router worker is the other end),
 *   `websocket` or `rawsocket` (TCP or Unix, for container components);
 * - reports events as lines `\x1exbar-status <JSON>` on stderr (`joined`,
 *   `ready`, `left`, `error`), written whole with one `write(2)`; the
 *   component's own output (print, logging) goes to stderr too (stdout is
 *   redirected there: in stdio mode the real stdout carries RawSocket), and
 *   the worker logs it;
 * - an error in a session handler is fatal (Crossbar's `panic`): logged, the
 *   session is disconnected;
 * - exits 0 when the session ended by leaving normally, 1 when it failed or
 *   was lost, 2 when the component could not be loaded; on SIGTERM the session
 *   leaves (GOODBYE) first; when stdin reaches its end (the worker is gone) it
 *   stops at once.
 *
 * @module
 */

/** The program `python3 -c` runs: it executes the host source from the environment. */
export const PYTHON_BOOTSTRAP =
  "import os;exec(compile(os.environ.pop('XBAR_PYTHON_HOST'),'<xbar python host>','exec'))";

/** Environment variable carrying {@link PYTHON_HOST_SOURCE}. */
export const PYTHON_HOST_ENV = "XBAR_PYTHON_HOST";
/** Environment variable carrying the component (JSON). */
export const PYTHON_COMPONENT_ENV = "XBAR_PYTHON_COMPONENT";

/** Exit code of the host when the component could not be loaded (not worth restarting). */
export const PYTHON_LOAD_FAILED = 2;

/** The host program (Python 3, Twisted, Autobahn|Python). */
export const PYTHON_HOST_SOURCE = String.raw`
import json
import os
import signal
import sys
import threading
import importlib
import traceback

spec = json.loads(os.environ.pop('XBAR_PYTHON_COMPONENT'))
mode = spec['transport']['kind']

# stdout is ours (RawSocket in stdio mode); whatever the component prints goes to stderr.
private_out = os.dup(1)
os.dup2(2, 1)
sys.stdout = sys.stderr
try:
    sys.stderr.reconfigure(line_buffering=True)
except Exception:
    pass


def say(text):
    # straight to fd 2: Twisted's logging replaces sys.stderr once it starts
    try:
        os.write(2, (text.rstrip('\n') + '\n').encode('utf-8', 'replace'))
    except Exception:
        pass


def status(event, **kw):
    kw['event'] = event
    say('\x1exbar-status ' + json.dumps(kw))


def fail_load(message):
    say(message)
    status('error', message=message.strip().splitlines()[-1] if message.strip() else message, load=True)
    os._exit(2)


try:
    import txaio
    txaio.use_twisted()
    from twisted.internet import reactor
    from twisted.internet.endpoints import TCP4ClientEndpoint, TCP6ClientEndpoint, UNIXClientEndpoint, SSL4ClientEndpoint
    from autobahn.twisted.wamp import ApplicationSession
    from autobahn.twisted.websocket import WampWebSocketClientFactory
    from autobahn.twisted.rawsocket import WampRawSocketClientFactory
    from autobahn.wamp.types import ComponentConfig
    from autobahn.wamp import serializer as wamp_serializer
except Exception:
    fail_load('xbar: Python components need Autobahn|Python with Twisted (Debian: apt-get install python3-autobahn; pip: pip install autobahn[twisted])\n' + traceback.format_exc())

txaio.start_logging(out=sys.stderr, level=spec.get('loglevel', 'info'))

for p in reversed(spec.get('pythonpath', [])):
    if p not in sys.path:
        sys.path.insert(0, p)


def load_attr(ref, what):
    if '.' not in ref:
        fail_load('xbar: %s "%s" must be written module.name' % (what, ref))
    module_name, attr = ref.rsplit('.', 1)
    try:
        module = importlib.import_module(module_name)
    except Exception:
        fail_load('xbar: cannot import module "%s" of %s "%s" (Python search path: %s)\n%s' % (
            module_name, what, ref, ', '.join(sys.path), traceback.format_exc()))
    if not hasattr(module, attr):
        fail_load('xbar: module "%s" has no "%s" (%s "%s")' % (module_name, attr, what, ref))
    return getattr(module, attr)


if spec['type'] == 'class':
    klass = load_attr(spec['classname'], 'classname')
    if not (isinstance(klass, type) and issubclass(klass, ApplicationSession)):
        fail_load('xbar: classname "%s" must name a class derived from autobahn.twisted.wamp.ApplicationSession (Crossbar runs components under Twisted)' % spec['classname'])
    create = klass
else:
    callbacks = {}
    for name, ref in spec.get('callbacks', {}).items():
        callbacks[name] = load_attr(ref, 'callback "%s"' % name)
    role = spec.get('role') or 'anonymous'

    class FunctionSession(ApplicationSession):
        def onConnect(self):
            self.join(self.config.realm, authrole=role)

    def create(config):
        session = FunctionSession(config)
        for name, fn in callbacks.items():
            session.on(name, fn)
        return session

extra = spec.get('extra')
if extra is None:
    extra = {}
if isinstance(extra, dict):
    extra['cbdir'] = spec['cbdir']
config = ComponentConfig(realm=spec['realm'], extra=extra)

state = {'session': None, 'left': None, 'stopping': False, 'code': None}


def finish(code):
    if state['code'] is None:
        state['code'] = code
    if reactor.running:
        reactor.stop()


def make_session():
    session = create(config)

    def panic(fail, msg):
        say('xbar: fatal error in component: %s: %s' % (msg, fail.getTraceback() if hasattr(fail, 'getTraceback') else fail))
        state['left'] = state['left'] or ('xbar.error.component_failed', str(msg))
        try:
            session.disconnect()
        except Exception:
            finish(1)

    session._swallow_error = panic

    def on_join(s, details):
        status('joined', session=details.session, authid=details.authid, authrole=details.authrole, realm=details.realm)

    def on_ready(s):
        status('ready')

    def on_leave(s, details):
        state['left'] = state['left'] or (details.reason, details.message)
        status('left', reason=details.reason, message=details.message)

    def on_disconnect(s, was_clean):
        left = state['left']
        normal = left is not None and left[0] in ('wamp.close.normal', 'wamp.close.goodbye_and_out')
        finish(0 if (normal or state['stopping']) and left is not None else 1)

    session.on('join', on_join)
    session.on('ready', on_ready)
    session.on('leave', on_leave)
    session.on('disconnect', on_disconnect)
    state['session'] = session
    return session


SERIALIZERS = {
    'json': wamp_serializer.JsonSerializer,
    'msgpack': wamp_serializer.MsgPackSerializer,
    'cbor': wamp_serializer.CBORSerializer,
}

t = spec['transport']


def tcp_endpoint(e):
    timeout = e.get('timeout') or 10
    if e.get('tls'):
        from twisted.internet import ssl
        tls = e['tls']
        trust = None
        if tls.get('ca'):
            trust = ssl.trustRootFromCertificates([ssl.Certificate.loadPEM(pem) for pem in tls['ca']])
        options = ssl.optionsForClientTLS(tls.get('hostname') or e['host'], trustRoot=trust)
        return SSL4ClientEndpoint(reactor, e['host'], e['port'], options, timeout=timeout)
    if e.get('version') == 6:
        return TCP6ClientEndpoint(reactor, e['host'], e['port'], timeout=timeout)
    return TCP4ClientEndpoint(reactor, e['host'], e['port'], timeout=timeout)


def connect():
    if mode == 'stdio':
        from twisted.internet import stdio
        factory = WampRawSocketClientFactory(make_session, serializer=SERIALIZERS[t['serializer']]())
        proto = factory.buildProtocol(None)
        stdio.StandardIO(proto, stdin=0, stdout=private_out, reactor=reactor)
        return
    if mode == 'websocket':
        factory = WampWebSocketClientFactory(make_session, url=t['url'], serializers=[SERIALIZERS[s]() for s in t['serializers']])
        endpoint = tcp_endpoint(t['endpoint'])
    else:
        factory = WampRawSocketClientFactory(make_session, serializer=SERIALIZERS[t['serializer']]())
        e = t['endpoint']
        if e['type'] == 'unix':
            endpoint = UNIXClientEndpoint(reactor, e['path'], timeout=e.get('timeout') or 10)
        else:
            endpoint = tcp_endpoint(e)
    factory.noisy = False
    if t.get('max_message_size'):
        factory.setProtocolOptions(maxMessagePayloadSize=t['max_message_size'])
    d = endpoint.connect(factory)

    def connect_failed(err):
        status('error', message='cannot connect to the router: %s' % err.getErrorMessage())
        say('xbar: cannot connect to the router: %s' % err.getErrorMessage())
        finish(1)

    d.addErrback(connect_failed)


def stop_gracefully():
    if state['stopping']:
        return
    state['stopping'] = True
    session = state['session']
    if session is not None and session.is_attached():
        try:
            session.leave()
        except Exception:
            finish(0)
        reactor.callLater(3, finish, 0)
    else:
        finish(0)


signal.signal(signal.SIGTERM, lambda *a: reactor.callFromThread(stop_gracefully))
signal.signal(signal.SIGINT, signal.SIG_IGN)

if mode != 'stdio':
    def watch_stdin():
        try:
            while os.read(0, 4096):
                pass
        except Exception:
            pass
        reactor.callFromThread(finish, 1)
    threading.Thread(target=watch_stdin, daemon=True).start()

reactor.callWhenRunning(connect)
reactor.run(installSignalHandlers=False)
sys.stderr.flush()
os._exit(state['code'] if state['code'] is not None else 1)
`;
