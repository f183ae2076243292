#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.
"""A sample application manager (VNFM) of one project.

It plays the part the OPNFV Doctor sample app manager / VNFM and the Tacker
Fenix plug-in play, through the real interfaces: it listens to
``maintenance.scheduled`` notifications on the message bus, decides per
state, acts on the cloud through a cloud driver (``fenix.cloud``) and
answers on the Fenix project API.

=====================  =================================================
state                  reaction
=====================  =================================================
MAINTENANCE            fetch the instance ids, ACK_MAINTENANCE with them
SCALE_IN               delete one instance (never below min_instances),
                       ACK_SCALE_IN with the instances left
PREPARE_MAINTENANCE,   fetch the instance ids, ACK with an action for each:
PLANNED_MAINTENANCE    the preferred ``action`` when allowed, else MIGRATE;
                       LIVE_MIGRATE (or else the first allowed action)
                       when MIGRATE is not allowed. OWN_ACTION re-creates
                       each instance under the same name elsewhere (wait
                       ACTIVE, then delete the old one) before the reply.
INSTANCE_ACTION_DONE   recorded, no reply
MAINTENANCE_COMPLETE   scale out back to the count the project had at
                       MAINTENANCE, ACK_MAINTENANCE_COMPLETE
=====================  =================================================

Behaviour knobs, to show how Fenix copes: ``nack`` lists states answered
NACK_<STATE> at once (nothing done on the cloud); ``silent`` lists states
left unanswered (Fenix's reply timeout then ends the session).

Per-instance notifications (``instance_ids`` a one-element list rather
than the project API URL) are answered per instance at their ``reply_url``.

Each notification is handled by a worker thread so the listener never
blocks. When the cloud fails while the app manager decides, it answers
NACK_<STATE> (as Tacker does when its VNF is not ACTIVE), so that the
session fails at once with a reason naming the project; when the Fenix API
fails, the error is logged. Nothing ever escapes to the listener.
"""

import concurrent.futures
import dataclasses
import datetime
import json
import re
import threading
import uuid

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from oslo_log import log as logging
import oslo_messaging as messaging

from fenix.cloud import base as cloud_base
from fenix.common import states

LOG = logging.getLogger(__name__)

EVENT_TYPE = 'maintenance.scheduled'
SERVICE_TYPE = 'maintenance'
POOL_PREFIX = 'fenix-sample-vnfm-'

# Server statuses that do not count as a member of the application.
GONE = ('DELETED', 'SOFT_DELETED', 'ERROR')

_ABSOLUTE_URL = re.compile(r'^[a-z][a-z0-9+.-]*://', re.IGNORECASE)
# The suffix a re-created or scaled-out instance gets to its base name.
_NAME_SUFFIX = re.compile(r'-r[0-9a-f]{6}$')


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%S.%fZ')


# -- the project API ----------------------------------------------------------

class FenixAPIError(Exception):
    """A request to the Fenix project API failed.

    :ivar status: the HTTP status; None when no answer came.
    :ivar message: Fenix's error message, or why there was no answer.
    """

    def __init__(self, message, status=None, method=None, url=None):
        self.message = message
        self.status = status
        self.method = method
        self.url = url
        if method is None:
            text = message
        elif status is None:
            text = '%s %s: no answer: %s' % (method, url, message)
        else:
            text = '%s %s: HTTP %s: %s' % (method, url, status, message)
        super().__init__(text)


def _error_message(resp):
    """Fenix's error message out of an error response."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get('error', body)
        if isinstance(error, dict):
            for key in ('message', 'title', 'faultstring'):
                if error.get(key):
                    return str(error[key])
        elif isinstance(error, str) and error:
            return error
    text = (resp.text or '').strip()
    return text[:500] or resp.reason or 'no detail'


class FenixProjectAPI:
    """Client of the Fenix project API (DESIGN §4) for an app manager.

    :param endpoint: the Fenix endpoint (``http://host:12347``); found in
        the Keystone catalog (service type ``maintenance``) when None.
        Only relative URLs use it: the notifications carry absolute ones.
    :param session: a keystoneauth1 Session. With an auth plugin it sends
        the project user's token (Fenix under Keystone); without one
        (Fenix with ``auth_strategy = noauth``) it tells who it is with
        ``X-Project-Id`` and ``X-Roles: member``.
    :param project_id: the project for the noauth headers; a SampleVNFM
        fills it in when left None.
    """

    def __init__(self, endpoint=None, session=None, project_id=None,
                 region_name=None, interface='public', timeout=60.0,
                 connect_retries=3):
        self._endpoint = endpoint.rstrip('/') if endpoint else None
        self.session = session if session is not None else (
            ks_session.Session())
        self.project_id = project_id
        self.region_name = region_name
        self.interface = interface
        self.timeout = timeout
        self.connect_retries = connect_retries

    @property
    def authenticated(self):
        return self.session.auth is not None

    @property
    def endpoint(self):
        """The Fenix endpoint, looked up in the catalog the first time."""
        if self._endpoint is None:
            if not self.authenticated:
                raise FenixAPIError(
                    'No Fenix endpoint: give one, or credentials to find '
                    'it in the Keystone catalog (service type %s)'
                    % SERVICE_TYPE)
            try:
                url = self.session.get_endpoint(
                    service_type=SERVICE_TYPE, interface=self.interface,
                    region_name=self.region_name)
            except ks_exc.ClientException as exc:
                raise FenixAPIError(
                    'Looking up the %s endpoint in the Keystone catalog '
                    'failed: %s' % (SERVICE_TYPE, exc)) from exc
            if not url:
                raise FenixAPIError(
                    'The Keystone catalog has no %s endpoint (interface '
                    '%s, region %s)' % (SERVICE_TYPE, self.interface,
                                        self.region_name or 'any'))
            self._endpoint = url.rstrip('/')
        return self._endpoint

    def _url(self, url):
        if not url:
            raise FenixAPIError('The notification carries no URL')
        if _ABSOLUTE_URL.match(url):
            return url
        return '%s/%s' % (self.endpoint, url.lstrip('/'))

    def _request(self, method, url, body=None):
        url = self._url(url)
        headers = {'Accept': 'application/json'}
        if not self.authenticated and self.project_id:
            headers['X-Project-Id'] = self.project_id
            headers['X-Roles'] = 'member'
        kwargs = {}
        if body is not None:
            kwargs['json'] = body
        if self.session.timeout is None and self.timeout:
            kwargs['timeout'] = self.timeout
        try:
            resp = self.session.request(
                url, method, headers=headers, raise_exc=False,
                connect_retries=self.connect_retries, **kwargs)
        except ks_exc.ClientException as exc:
            raise FenixAPIError(str(exc) or exc.__class__.__name__,
                                method=method, url=url) from exc
        if resp.status_code >= 400:
            raise FenixAPIError(_error_message(resp), resp.status_code,
                                method, url)
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError as exc:
            raise FenixAPIError('the answer is not JSON: %r'
                                % resp.text[:200], resp.status_code,
                                method, url) from exc

    def get_instance_ids(self, url):
        """The project's instance ids for the current state of a session.

        :param url: the project API URL of the notification.
        """
        body = self._request('GET', url)
        ids = body.get('instance_ids') if isinstance(body, dict) else None
        if not isinstance(ids, list):
            raise FenixAPIError('the answer has no instance_ids list: %r'
                                % (body,), 200, 'GET', self._url(url))
        return list(ids)

    def reply(self, url, state, instance_actions=None, instance_ids=None):
        """Reply ACK_<STATE> / NACK_<STATE> for the whole project."""
        body = {'state': state}
        if instance_actions is not None:
            body['instance_actions'] = dict(instance_actions)
        if instance_ids is not None:
            body['instance_ids'] = list(instance_ids)
        self._request('PUT', url, body)

    def reply_instance(self, url, state, action):
        """Reply for one instance; ``url`` ends with its id."""
        body = {'state': state}
        if action:
            body['instance_action'] = action
        self._request('PUT', url, body)


# -- the app manager ----------------------------------------------------------

@dataclasses.dataclass
class Decision:
    """What to answer to one notification."""

    state: str
    instance_ids: list | None = None
    instance_actions: dict | None = None
    # Recorded with the reply: removed, created, replaced, reason.
    details: dict = dataclasses.field(default_factory=dict)


class _Endpoint:
    """The notification endpoint of a SampleVNFM.

    Hands the project's ``maintenance.scheduled`` notifications to it.
    """

    def __init__(self, vnfm):
        self.vnfm = vnfm
        self.filter_rule = messaging.NotificationFilter(
            event_type='^%s$' % re.escape(EVENT_TYPE),
            payload={'project_id': '^%s$' % re.escape(vnfm.project_id)})

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        if event_type == EVENT_TYPE:
            try:
                self.vnfm.notify(payload)
            except Exception:
                LOG.exception('Project %s: a notification could not be '
                              'taken: %s', self.vnfm.project_id, payload)
        return messaging.NotificationResult.HANDLED


class SampleVNFM:
    """The app manager of one project.

    :param project_id: the project it manages; notifications of other
        projects are ignored.
    :param api: a :class:`FenixProjectAPI` (or an object with its methods).
    :param driver: a cloud driver (:class:`fenix.cloud.base.CloudDriver`)
        acting for the project: ``list_instances``, ``get_instance``,
        ``create_instance``, ``delete_instance``.
    :param record: path of a file that gets one JSON line per notification
        received and per reply sent, flushed at once.
    :param min_instances: scale-in never leaves fewer instances.
    :param workers: threads handling notifications.
    :param action: the preferred instance action (MIGRATE, LIVE_MIGRATE,
        OWN_ACTION, EVICTION), replied when allowed; None: MIGRATE first.
    :param nack: states answered NACK_<STATE> without acting.
    :param silent: states never answered.

    :ivar events: the same dicts as the record lines, in order.
    :ivar removed: instances deleted by scale-in (dicts with session_id,
        id, name).
    :ivar created: instances created by scale-out or OWN_ACTION.
    :ivar actions_done: INSTANCE_ACTION_DONE notifications received.
    """

    def __init__(self, project_id, api, driver, record=None,
                 min_instances=1, workers=4, action=None, nack=(),
                 silent=()):
        if not project_id:
            raise ValueError('A SampleVNFM needs a project id')
        if action is not None and action not in states.INSTANCE_ACTIONS:
            raise ValueError('Unknown instance action %r; one of %s'
                             % (action, ', '.join(states.INSTANCE_ACTIONS)))
        unknown = sorted((set(nack) | set(silent))
                         - set(states.REPLY_STATES))
        if unknown:
            raise ValueError('Not states a project answers: %s; one of %s'
                             % (', '.join(unknown),
                                ', '.join(states.REPLY_STATES)))
        self.action = action
        self.nack = frozenset(nack)
        self.silent = frozenset(silent)
        self.project_id = project_id
        self.api = api
        self.driver = driver
        self.record = record
        self.min_instances = max(0, int(min_instances))
        if getattr(api, 'project_id', False) is None:
            api.project_id = project_id
        self.events = []
        self.removed = []
        self.created = []
        self.actions_done = []
        # session_id -> number of instances at MAINTENANCE.
        self._baseline = {}
        self._events_lock = threading.Lock()
        # NOTE: held from a reply's request until its line is recorded, and
        # while a received notification is recorded, so that the record
        # never shows the next notification before the reply that led to
        # it.
        self._order_lock = threading.Lock()
        # Serialises what changes the set of instances.
        self._cloud_lock = threading.RLock()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, int(workers)),
            thread_name_prefix='vnfm-%s' % project_id[:8])
        self._pending = set()
        self._pending_lock = threading.Lock()
        self._listener = None
        self._handlers = {
            states.MAINTENANCE: self._on_maintenance,
            states.SCALE_IN: self._on_scale_in,
            states.PREPARE_MAINTENANCE: self._on_move,
            states.PLANNED_MAINTENANCE: self._on_move,
            states.INSTANCE_ACTION_DONE: self._on_action_done,
            states.MAINTENANCE_COMPLETE: self._on_complete,
        }

    @property
    def pool(self):
        """The listener pool: each app manager gets every notification."""
        return POOL_PREFIX + self.project_id

    # -- life cycle -------------------------------------------------------

    def start(self, transport, topics=('notifications',)):
        """Listen to the notifications of ``transport``."""
        if self._listener is not None:
            raise RuntimeError('SampleVNFM of project %s is already '
                               'started' % self.project_id)
        # NOTE: a pool's queue is named without the exchange: app managers
        # of one project on two exchanges of a broker must not share it.
        pool = self.pool
        exchange = getattr(getattr(transport, 'conf', None),
                           'control_exchange', None)
        if isinstance(exchange, str) and exchange:
            pool = '%s-%s' % (pool, exchange)
        listener = messaging.get_notification_listener(
            transport, [messaging.Target(topic=t) for t in topics],
            [_Endpoint(self)], executor='threading', pool=pool)
        listener.start()
        self._listener = listener
        LOG.info('Sample VNFM of project %s listens to %s on topic(s) %s '
                 '(pool %s)', self.project_id, EVENT_TYPE,
                 ', '.join(topics), pool)

    def stop(self):
        """Stop listening; wait for the listener and the running workers.

        Notifications whose handling has not started yet are dropped.
        """
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
            listener.wait()
        self._executor.shutdown(wait=True, cancel_futures=True)
        LOG.info('Sample VNFM of project %s stopped', self.project_id)

    def wait_idle(self, timeout=None):
        """Wait for the notifications taken so far to be handled.

        :returns: True when they all were within ``timeout``.
        """
        with self._pending_lock:
            pending = list(self._pending)
        _, not_done = concurrent.futures.wait(pending, timeout)
        return not not_done

    # -- taking notifications ----------------------------------------------

    def notify(self, payload):
        """Take one ``maintenance.scheduled`` payload.

        Records it and hands it to a worker.

        :returns: the worker's Future, or None when the payload is not this
            project's (or the app manager is stopped).
        """
        if not isinstance(payload, dict) or (
                payload.get('project_id') != self.project_id):
            LOG.debug('Project %s: notification of another project '
                      'ignored', self.project_id)
            return None
        received = {
            'received_at': _now(),
            'project_id': self.project_id,
            'session_id': payload.get('session_id'),
            'state': payload.get('state'),
            'instance_ids': payload.get('instance_ids'),
            'allowed_actions': payload.get('allowed_actions'),
            'reply_url': payload.get('reply_url'),
            'reply_at': payload.get('reply_at'),
            'actions_at': payload.get('actions_at'),
            'metadata': payload.get('metadata'),
        }
        with self._order_lock:
            self._record(received)
        LOG.info('Project %s: %s of session %s received (instances: %s)',
                 self.project_id, payload.get('state'),
                 payload.get('session_id'), payload.get('instance_ids'))
        try:
            future = self._executor.submit(self.handle, payload)
        except RuntimeError:
            LOG.warning('Project %s: stopped; %s of session %s is not '
                        'handled', self.project_id, payload.get('state'),
                        payload.get('session_id'))
            return None
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future):
        with self._pending_lock:
            self._pending.discard(future)

    def handle(self, payload):
        """Decide and answer one notification of this project.

        Never raises.

        :returns: the reply state sent, or None.
        """
        if not isinstance(payload, dict) or (
                payload.get('project_id') != self.project_id):
            return None
        state = payload.get('state')
        session_id = payload.get('session_id')
        handler = self._handlers.get(state)
        if handler is None:
            LOG.warning('Project %s: unknown state %r of session %s '
                        'ignored', self.project_id, state, session_id)
            return None
        if state in self.silent:
            LOG.info('Project %s: %s of session %s left unanswered (silent)',
                     self.project_id, state, session_id)
            with self._order_lock:
                self._record({'silent': state, 'project_id': self.project_id,
                              'session_id': session_id, 'at': _now()})
            return None
        if state in self.nack:
            LOG.info('Project %s: answering NACK_%s to session %s (nack)',
                     self.project_id, state, session_id)
            return self._send(payload, Decision(
                'NACK_%s' % state, details={'reason': 'nack configured'}))
        try:
            decision = handler(payload)
        except FenixAPIError as exc:
            LOG.error('Project %s: no reply to %s of session %s, the Fenix '
                      'API failed: %s', self.project_id, state, session_id,
                      exc)
            return None
        except Exception as exc:
            reason = str(exc) or exc.__class__.__name__
            LOG.exception('Project %s: handling %s of session %s failed: '
                          '%s', self.project_id, state, session_id, reason)
            if state not in states.REPLY_STATES:
                return None
            decision = Decision('NACK_%s' % state,
                                details={'reason': reason})
        if decision is None:
            return None
        return self._send(payload, decision)

    # -- deciding -----------------------------------------------------------

    @staticmethod
    def _per_instance(payload):
        return isinstance(payload.get('instance_ids'), list)

    def _ids(self, payload):
        """The instance ids a notification is about."""
        ids = payload.get('instance_ids')
        if isinstance(ids, list):
            return list(ids)
        return self.api.get_instance_ids(ids)

    def _own(self):
        """The project's live instances, by name."""
        return sorted(
            (i for i in self.driver.list_instances(project_id=self.project_id)
             if i.project_id == self.project_id and i.status not in GONE),
            key=lambda i: (i.name, i.id))

    def _remember_baseline(self, session_id):
        with self._cloud_lock:
            if session_id in self._baseline:
                return
            try:
                count = len(self._own())
            except Exception as exc:
                LOG.warning('Project %s: could not count its instances at '
                            'the start of session %s: %s', self.project_id,
                            session_id, exc)
                return
            self._baseline[session_id] = count
            LOG.info('Project %s: %d instance(s) at the start of session '
                     '%s', self.project_id, count, session_id)

    def _on_maintenance(self, payload):
        ids = self._ids(payload)
        session_id = payload.get('session_id')
        self._remember_baseline(session_id)
        LOG.info('Project %s: maintenance of session %s affects %d '
                 'instance(s), at %s; ACK_MAINTENANCE', self.project_id,
                 session_id, len(ids), payload.get('actions_at'))
        return Decision('ACK_MAINTENANCE', instance_ids=ids)

    @staticmethod
    def _victim(own, listed):
        """The instance to give up.

        One Fenix listed (on a host to be maintained), outside any server
        group, the last by name.
        """
        listed = set(listed)
        return max(own, key=lambda i: (i.id in listed,
                                       i.server_group_id is None,
                                       i.name, i.id))

    def _on_scale_in(self, payload):
        session_id = payload.get('session_id')
        # NOTE: asking Fenix first also proves the session is current, so
        # that a stale notification never deletes an instance.
        listed = self._ids(payload)
        removed = []
        with self._cloud_lock:
            own = self._own()
            self._baseline.setdefault(session_id, len(own))
            if len(own) <= self.min_instances:
                LOG.info('Project %s: not scaling in for session %s: %d '
                         'instance(s), the minimum is %d', self.project_id,
                         session_id, len(own), self.min_instances)
            else:
                victim = self._victim(own, listed)
                LOG.info('Project %s: scaling in for session %s: deleting '
                         'instance %s (%s), %d left', self.project_id,
                         session_id, victim.id, victim.name, len(own) - 1)
                self.driver.delete_instance(victim.id)
                self.removed.append({'session_id': session_id,
                                     'id': victim.id, 'name': victim.name})
                removed.append(victim.id)
        left = [i.id for i in own if i.id not in removed]
        return Decision('ACK_SCALE_IN', instance_ids=left,
                        details={'removed': removed})

    @staticmethod
    def choose_action(allowed_actions, preferred=None):
        """The action to reply for the instances of a move state.

        The preferred action when allowed; else MIGRATE; else LIVE_MIGRATE;
        else the first allowed action. No allowed actions means any.
        """
        allowed = [a for a in (allowed_actions or [])
                   if a in states.INSTANCE_ACTIONS]
        if preferred and (not allowed or preferred in allowed):
            return preferred
        if not allowed or states.MIGRATE in allowed:
            return states.MIGRATE
        if states.LIVE_MIGRATE in allowed:
            return states.LIVE_MIGRATE
        return allowed[0]

    @staticmethod
    def _fresh_name(name):
        return '%s-r%s' % (_NAME_SUFFIX.sub('', name), uuid.uuid4().hex[:6])

    def _recreate(self, instance_id, session_id):
        """OWN_ACTION: re-create an instance under its own name elsewhere.

        Boots a like instance of the same name, waits for it to be ACTIVE,
        then deletes the old one. Fenix knows the new one by its name. The
        host being emptied is disabled, so the scheduler boots it elsewhere.
        """
        with self._cloud_lock:
            try:
                old = self.driver.get_instance(instance_id)
            except cloud_base.InstanceNotFound:
                LOG.info('Project %s: instance %s is gone already',
                         self.project_id, instance_id)
                return None
            LOG.info('Project %s: OWN_ACTION for session %s: re-creating '
                     'instance %s (%s) away from %s', self.project_id,
                     session_id, old.id, old.name, old.host)
            # NOTE: the old instance has the same name; without exclude
            # the driver's by-name idempotency would hand it back.
            new = self.driver.create_instance(self.project_id, old.name,
                                              like=old.id, exclude=(old.id,))
            if new.id == old.id:
                raise cloud_base.CloudError(
                    reason='re-creating instance %s (%s) gave back the '
                           'same instance' % (old.id, old.name))
            self.created.append({'session_id': session_id, 'id': new.id,
                                 'name': new.name, 'replaces': old.id})
            self.driver.delete_instance(old.id)
            LOG.info('Project %s: instance %s replaced by %s on %s',
                     self.project_id, old.id, new.id, new.host)
            return new.id

    def _on_move(self, payload):
        state = payload.get('state')
        session_id = payload.get('session_id')
        ids = self._ids(payload)
        action = self.choose_action(payload.get('allowed_actions'),
                                    self.action)
        details = {}
        if action == states.OWN_ACTION:
            details['replaced'] = {i: self._recreate(i, session_id)
                                   for i in ids}
        actions = {i: action for i in ids}
        LOG.info('Project %s: %s of session %s: %s for %s (allowed %s, '
                 'metadata %s); ACK_%s', self.project_id, state, session_id,
                 action, ', '.join(ids) or 'no instance',
                 payload.get('allowed_actions'), payload.get('metadata'),
                 state)
        return Decision('ACK_%s' % state, instance_actions=actions,
                        details=details)

    def _on_action_done(self, payload):
        ids = payload.get('instance_ids')
        ids = ids if isinstance(ids, list) else []
        with self._events_lock:
            self.actions_done.append({
                'session_id': payload.get('session_id'),
                'instance_ids': ids, 'at': _now()})
        LOG.info('Project %s: action on instance(s) %s done in session %s',
                 self.project_id, ', '.join(ids) or '?',
                 payload.get('session_id'))
        return None

    def _on_complete(self, payload):
        session_id = payload.get('session_id')
        created = []
        with self._cloud_lock:
            own = self._own()
            removed = [r for r in self.removed
                       if r['session_id'] == session_id]
            target = self._baseline.get(session_id)
            if target is None:
                live = {i.id for i in own}
                target = len(own) + sum(1 for r in removed
                                        if r['id'] not in live)
            missing = target - len(own)
            if missing <= 0:
                LOG.info('Project %s: session %s complete; %d instance(s), '
                         '%d at the start: no scale-out', self.project_id,
                         session_id, len(own), target)
            else:
                like = own[0] if own else None
                have = {i.name for i in own}
                names = list(dict.fromkeys(
                    r['name'] for r in removed if r['name'] not in have))
                base = like.name if like else 'vnfm-%s' % self.project_id[:8]
                LOG.info('Project %s: session %s complete; scaling out from '
                         '%d to %d instance(s)', self.project_id, session_id,
                         len(own), target)
                for n in range(missing):
                    name = names[n] if n < len(names) else (
                        self._fresh_name(base))
                    inst = self.driver.create_instance(
                        self.project_id, name,
                        like=like.id if like else None)
                    LOG.info('Project %s: instance %s (%s) created on %s',
                             self.project_id, inst.id, inst.name, inst.host)
                    self.created.append({'session_id': session_id,
                                         'id': inst.id, 'name': inst.name})
                    created.append(inst.id)
                    own.append(inst)
        return Decision('ACK_MAINTENANCE_COMPLETE',
                        instance_ids=[i.id for i in own],
                        details={'created': created})

    # -- answering ----------------------------------------------------------

    def _send(self, payload, decision):
        session_id = payload.get('session_id')
        url = payload.get('reply_url')
        event = {'replied': decision.state, 'project_id': self.project_id,
                 'session_id': session_id, 'url': url}
        with self._order_lock:
            try:
                if self._per_instance(payload):
                    instance_id = (payload['instance_ids'] or [None])[0]
                    action = (decision.instance_actions or {}).get(
                        instance_id)
                    self.api.reply_instance(url, decision.state, action)
                    event.update(instance_id=instance_id,
                                 instance_action=action)
                else:
                    self.api.reply(
                        url, decision.state,
                        instance_actions=decision.instance_actions,
                        instance_ids=decision.instance_ids)
                    event.update(instance_actions=decision.instance_actions,
                                 instance_ids=decision.instance_ids)
            except FenixAPIError as exc:
                LOG.error('Project %s: replying %s to session %s failed: '
                          '%s', self.project_id, decision.state, session_id,
                          exc)
                return None
            except Exception:
                LOG.exception('Project %s: replying %s to session %s failed',
                              self.project_id, decision.state, session_id)
                return None
            event.update(decision.details)
            event['replied_at'] = _now()
            self._record(event)
        LOG.info('Project %s: replied %s to session %s', self.project_id,
                 decision.state, session_id)
        return decision.state

    def _record(self, event):
        with self._events_lock:
            self.events.append(event)
            if not self.record:
                return
            try:
                with open(self.record, 'a', encoding='utf-8') as f:
                    f.write(json.dumps(event, sort_keys=True, default=str)
                            + '\n')
                    f.flush()
            except OSError as exc:
                LOG.error('Project %s: cannot write to the record %s: %s',
                          self.project_id, self.record, exc)
