"""Images: list, inspect, pull, push, tag, remove, prune, commit, build, save, load and import."""

from __future__ import annotations

import builtins
import json
import os
from collections.abc import AsyncIterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiodocker_engine._auth import (
    CredentialStore,
    RegistryAuth,
    check_registry,
    encode_auth_header,
    encode_registry_config,
    registry_of,
)
from aiodocker_engine._build_context import FileChunks, PathContext
from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import Filters
from aiodocker_engine.models import (
    AttestationStatement,
    AuthConfig,
    BuildPruneResponse,
    ContainerConfig,
    IDResponse,
    ImageDeleteResponseItem,
    ImageHistoryResponseItem,
    ImageInspect,
    ImagePruneResponse,
    ImageSearchResponseItem,
    ImageSummary,
    ProgressMessage,
)
from aiodocker_engine.streams._bytes import BytesStream
from aiodocker_engine.streams._progress import ProgressStream
from aiodocker_engine.transport._base import Body, Response

if TYPE_CHECKING:
    from aiodocker_engine.client import Docker

__all__ = ["Auth", "BuildContext", "ImagesApi", "Platform", "TarSource", "split_reference"]

#: Credentials for one call: a `RegistryAuth`, a `models.AuthConfig` or a dict of auth fields.
Auth = RegistryAuth | AuthConfig | Mapping[str, str]
#: A platform: "linux/amd64[/v8]" or an OCI platform mapping {"os": ..., "architecture": ...}.
Platform = str | Mapping[str, str]
#: A tar archive to upload: bytes, an async iterable of bytes, or a file path (streamed).
TarSource = bytes | AsyncIterable[bytes] | os.PathLike[str]
#: A build context: a directory or tar file path, tar bytes, or an async iterable of tar bytes.
BuildContext = str | os.PathLike[str] | bytes | AsyncIterable[bytes]


def split_reference(reference: str) -> tuple[str, str | None, str | None]:
    """`name[:tag][@digest]` -> (name, tag, digest); a ":" before the last "/" is a port."""
    if not reference:
        raise ValueError("an image reference is required")
    name, _, digest = reference.partition("@")
    tag = None
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag or None, digest or None


def _name_and_tag(repo: str, operation: str) -> tuple[str, str | None]:
    """`repo` split into the name and tag an image gets; a digest cannot be given to one."""
    name, tag, digest = split_reference(repo)
    if digest:
        raise ValueError(f"{operation}: cannot name an image with a digest ({repo!r})")
    return name, tag


def _oci_platform(value: Platform | None) -> dict[str, str] | None:
    """The JSON form of newer `platform` parameters, from "os/arch[/variant]" or a mapping."""
    if value is None or isinstance(value, Mapping):
        return dict(value) if value is not None else None
    parts = value.split("/")
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise ValueError(f"platform {value!r} is not os[/architecture[/variant]]")
    keys = ("os", "architecture", "variant")
    return dict(zip(keys, parts, strict=False))


def _platform_text(value: Platform | None) -> str | None:
    """The "os/arch[/variant]" form that pull, import and build take."""
    if value is None or isinstance(value, str):
        return value
    parts = [value.get("os", ""), value.get("architecture", ""), value.get("variant", "")]
    return "/".join(part for part in parts if part)


def _upload(source: TarSource, what: str) -> tuple[Body, FileChunks | None]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), None
    if isinstance(source, os.PathLike):
        chunks = FileChunks(source)
        return chunks, chunks
    if isinstance(source, AsyncIterable):
        return source, None
    raise TypeError(
        f"{what} takes bytes, an async iterable of bytes or a path, not {type(source).__name__}"
    )


class ImagesApi(ApiGroup):
    """Image operations: `docker.images`.

    `credentials` is where pull, push and build look for registry credentials when no
    `auth=` is given: the docker CLI's config.json (`$DOCKER_CONFIG`, `~/.docker`).
    """

    __slots__ = ("credentials",)

    def __init__(self, docker: Docker) -> None:
        super().__init__(docker)
        self.credentials = CredentialStore()

    # -- local images ----------------------------------------------------------------

    async def list(
        self,
        *,
        all: bool = False,
        filters: Filters | None = None,
        shared_size: bool = False,
        digests: bool = False,
        manifests: bool = False,
    ) -> builtins.list[ImageSummary]:
        """Images; intermediate layers only with `all=True`."""
        return await self._docker._json(
            "ImageList",
            "GET",
            "/images/json",
            builtins.list[ImageSummary],
            query={
                "all": all or None,
                "filters": filters or None,
                "shared-size": shared_size or None,
                "digests": digests or None,
                "manifests": manifests or None,
            },
        )

    async def inspect(
        self, image: str, *, manifests: bool = False, platform: Platform | None = None
    ) -> ImageInspect:
        """Low-level information on an image, by name, id or digest; NotFound if absent."""
        return await self._docker._json(
            "ImageInspect",
            "GET",
            f"/images/{quote_path(image, safe='/:@')}/json",
            ImageInspect,
            query={"manifests": manifests or None, "platform": _oci_platform(platform)},
        )

    async def history(
        self, image: str, *, platform: Platform | None = None
    ) -> builtins.list[ImageHistoryResponseItem]:
        """The layers of an image, newest first."""
        return await self._docker._json(
            "ImageHistory",
            "GET",
            f"/images/{quote_path(image, safe='/:@')}/history",
            builtins.list[ImageHistoryResponseItem],
            query={"platform": _oci_platform(platform)},
        )

    async def tag(self, image: str, repo: str, tag: str | None = None) -> None:
        """Add a name to an image (`repo` may carry the tag: "registry:5000/app:1.0").

        NotFound when the image does not exist. An invalid name raises ServerError on
        Docker 20.10, which answers 500 "invalid reference format"; newer daemons check
        the name first and answer 400 (BadRequest).
        """
        if tag is None:
            repo, tag = _name_and_tag(repo, "images.tag")
        await self._docker._empty(
            "ImageTag",
            "POST",
            f"/images/{quote_path(image, safe='/:@')}/tag",
            query={"repo": repo, "tag": tag},
        )

    async def remove(
        self,
        image: str,
        *,
        force: bool = False,
        noprune: bool = False,
        platforms: Sequence[Platform] | None = None,
    ) -> builtins.list[ImageDeleteResponseItem]:
        """Untag an image and delete it when no name is left; what was untagged and deleted.

        Conflict when a container uses it (unless `force`) or, given by id, it has
        several names.
        """
        return await self._docker._json(
            "ImageDelete",
            "DELETE",
            f"/images/{quote_path(image, safe='/:@')}",
            builtins.list[ImageDeleteResponseItem],
            query={
                "force": force or None,
                "noprune": noprune or None,
                "platforms": [json.dumps(_oci_platform(p)) for p in platforms]
                if platforms
                else None,
            },
            time_limit=None,
        )

    async def prune(self, *, filters: Filters | None = None) -> ImagePruneResponse:
        """Remove unused images: dangling ones, or all unused with `filters={"dangling": False}`."""
        return await self._docker._json(
            "ImagePrune",
            "POST",
            "/images/prune",
            ImagePruneResponse,
            query={"filters": filters or None},
            time_limit=None,
        )

    async def search(
        self,
        term: str,
        *,
        limit: int | None = None,
        filters: Filters | None = None,
        auth: Auth | None = None,
    ) -> builtins.list[ImageSearchResponseItem]:
        """Search a registry's index (Docker Hub unless `term` names a registry).

        The daemon does the search, so it needs network access to that registry; a
        failure is a ServerError with the daemon's message. Credentials come from
        `auth` or the docker config for that registry, as the CLI sends them.
        """
        return await self._docker._json(
            "ImageSearch",
            "GET",
            "/images/search",
            builtins.list[ImageSearchResponseItem],
            query={"term": term, "limit": limit, "filters": filters or None},
            headers={"X-Registry-Auth": await self._auth_header(term, auth)},
            time_limit=None,
        )

    async def attestations(
        self,
        image: str,
        *,
        platform: Platform | None = None,
        type: str | Sequence[str] | None = None,
        statement: bool = False,
    ) -> builtins.list[AttestationStatement]:
        """In-toto attestations stored with an image (API 1.55+; VersionError before)."""
        types = [type] if isinstance(type, str) else (builtins.list(type) if type else None)
        return await self._docker._json(
            "ImageAttestations",
            "GET",
            f"/images/{quote_path(image, safe='/:@')}/attestations",
            builtins.list[AttestationStatement],
            query={
                "platform": json.dumps(_oci_platform(platform)) if platform else None,
                "type": types,
                "statement": statement or None,
            },
        )

    async def commit(
        self,
        container: str,
        *,
        repo: str | None = None,
        tag: str | None = None,
        comment: str | None = None,
        author: str | None = None,
        pause: bool = True,
        changes: str | Sequence[str] | None = None,
        config: ContainerConfig | None = None,
        **fields: Any,
    ) -> IDResponse:
        """Make an image of a container's file system and config; returns its id.

        `changes` are Dockerfile instructions ("ENV A=1", "CMD [\"sh\"]"), applied on top
        of the container's config; `config` (or its fields as keywords, `cmd=[...]`)
        replaces config values. The container is paused while committing unless
        `pause=False`. NotFound when there is no such container.
        """
        if repo is not None and tag is None:
            repo, tag = _name_and_tag(repo, "images.commit")
        # Always a body, "{}" at least, as docker-py sends: Podman answers a bodiless
        # commit with 500 (EOF); dockerd reads "{}" as no change.
        body = ContainerConfig()
        set_fields: builtins.list[str] = []
        if config is not None or fields:
            body, set_fields = build_body(ContainerConfig, config, fields, where="images.commit")
        return await self._docker._json(
            "ImageCommit",
            "POST",
            "/commit",
            IDResponse,
            query={
                "container": container,
                "repo": repo,
                "tag": tag,
                "comment": comment,
                "author": author,
                "pause": None if pause else False,
                "changes": [changes] if isinstance(changes, str) else changes,
            },
            body=body,
            fields=set_fields,
            time_limit=None,
        )

    # -- registries ------------------------------------------------------------------

    async def _auth_header(self, name: str, auth: Auth | None) -> str:
        registry = registry_of(name)
        if auth is None:
            found = await self.credentials.get(registry)
        else:
            found = RegistryAuth.coerce(auth)
            check_registry(found, registry)
        return encode_auth_header(found, registry)

    def _progress(
        self,
        operation: str,
        path: str,
        *,
        query: dict[str, object],
        body: Body = None,
        headers: Mapping[str, str] | None = None,
        auth_for: str | None = None,
        auth: Auth | None = None,
        registry_config: Mapping[str, Auth] | bool = False,
        closing: FileChunks | None = None,
        context: PathContext | None = None,
        upload: bool = False,
    ) -> ProgressStream[ProgressMessage]:
        docker = self._docker

        async def opener() -> Response:
            sent_body = body
            try:
                if context is not None:
                    sent_body = await context.open()
                    query["dockerfile"] = context.dockerfile_name
                sent = dict(headers or {})
                if auth_for is not None:
                    sent["X-Registry-Auth"] = await self._auth_header(auth_for, auth)
                if registry_config is True:
                    known = await self.credentials.all()
                    if known:
                        sent["X-Registry-Config"] = encode_registry_config(known)
                elif registry_config:
                    sent["X-Registry-Config"] = encode_registry_config(
                        {k: RegistryAuth.coerce(v) for k, v in registry_config.items()}
                    )
                if upload:  # the upload may take long: only the daemon bounds it
                    return await docker._send(
                        operation,
                        "POST",
                        path,
                        query=query,
                        body=sent_body,
                        headers=sent,
                        buffered=False,
                        time_limit=None,
                    )
                return await docker._send(
                    operation, "POST", path, query=query, headers=sent, buffered=False
                )
            finally:
                if closing is not None:
                    await closing.aclose()
                if context is not None:
                    await context.aclose()

        return ProgressStream(opener, ProgressMessage)

    def pull(
        self,
        image: str,
        *,
        tag: str | None = None,
        all_tags: bool = False,
        platform: Platform | None = None,
        auth: Auth | None = None,
    ) -> ProgressStream[ProgressMessage]:
        """Pull an image: `await` it for the `ProgressResult`, or iterate its progress.

        `image` may carry a tag or a digest; without either it pulls `latest` (like the
        CLI), or every tag with `all_tags=True`. Credentials come from `auth` or the
        docker config for the image's registry, and go to that registry only. A missing
        image or denied access before the first byte is an APIError (NotFound, ...);
        after it, a `ProgressError` (`errors.StreamError`). Cancelling stops waiting;
        the daemon may finish the pull anyway.
        """
        name, ref_tag, digest = split_reference(image)
        if all_tags and (tag or ref_tag or digest):
            raise ValueError(f"all_tags=True pulls every tag; {image!r} names one")
        wanted = None if all_tags else (digest or tag or ref_tag or "latest")
        return self._progress(
            "ImageCreate",
            "/images/create",
            query={"fromImage": name, "tag": wanted, "platform": _platform_text(platform)},
            auth_for=name,
            auth=auth,
        )

    def push(
        self,
        image: str,
        *,
        tag: str | None = None,
        all_tags: bool = False,
        platform: Platform | None = None,
        auth: Auth | None = None,
    ) -> ProgressStream[ProgressMessage]:
        """Push an image to its registry: `await` it, or iterate its progress.

        Pushes `image`'s tag (or `tag`, or `latest`); every tag of the repository with
        `all_tags=True`. Credentials as for `pull`. A denied push is reported by the
        registry after the daemon said 200, so it raises `ProgressError`
        (`errors.StreamError`) with the registry's message ("unauthorized: ...").
        """
        name, ref_tag, digest = split_reference(image)
        if digest:
            raise ValueError(f"push takes a tag, not a digest: {image!r}")
        if all_tags and (tag or ref_tag):
            raise ValueError(f"all_tags=True pushes every tag; {image!r} names one")
        wanted = None if all_tags else (tag or ref_tag or "latest")
        return self._progress(
            "ImagePush",
            f"/images/{quote_path(name, safe='/:@')}/push",
            query={"tag": wanted, "platform": _oci_platform(platform)},
            auth_for=name,
            auth=auth,
        )

    # -- archives ----------------------------------------------------------------------

    def save(self, *images: str, platform: Platform | None = None) -> BytesStream:
        """Export images (with their names and layers) as a tar stream, as `docker save` does.

        Iterate the returned `BytesStream`, or `await stream.write_to(path)`; the tar is
        produced while it is read and never held in memory. A missing image fails as
        NotFound when the stream opens (daemons that start the tar first end it early).
        """
        if not images:
            raise ValueError("images.save needs at least one image")
        docker = self._docker
        oci = _oci_platform(platform)
        if len(images) == 1:
            operation = "ImageGet"
            path = f"/images/{quote_path(images[0], safe='/:@')}/get"
            query: dict[str, object] = {"platform": oci}
        else:
            operation, path = "ImageGetAll", "/images/get"
            query = {"names": builtins.list(images), "platform": oci}

        async def opener() -> Response:
            return await docker._send(operation, "GET", path, query=query, buffered=False)

        return BytesStream(opener, what=" ".join(images))

    def load(
        self, tar: TarSource, *, quiet: bool = False, platform: Platform | None = None
    ) -> ProgressStream[ProgressMessage]:
        """Load images from a `docker save` tar (bytes, async iterable or path, streamed).

        `await` it: `ProgressResult.images` lists what was loaded. The upload is not
        bounded by the client timeout. A broken tar raises `ProgressError`.
        """
        body, closing = _upload(tar, "images.load")
        return self._progress(
            "ImageLoad",
            "/images/load",
            # Daemons up to 20.10 default to quiet when the parameter is absent.
            query={"quiet": quiet, "platform": _oci_platform(platform)},
            body=body,
            headers={"Content-Type": "application/x-tar"},
            closing=closing,
            upload=True,
        )

    def import_(
        self,
        source: str | TarSource,
        *,
        repo: str | None = None,
        tag: str | None = None,
        message: str | None = None,
        changes: str | Sequence[str] | None = None,
        platform: Platform | None = None,
    ) -> ProgressStream[ProgressMessage]:
        """Create an image from a root file system tar: a URL the daemon fetches, or data.

        `source` is a URL ("https://...", fetched by the daemon), a path (str without a
        scheme, or os.PathLike), bytes or an async iterable of bytes (streamed). `changes`
        are Dockerfile instructions ("CMD [\"/bin/sh\"]", "ENV A=1"). `await` it:
        `ProgressResult.image_id` is the new image.
        """
        if repo is not None and tag is None:
            _name_and_tag(repo, "images.import_")  # refuses a digest
            # Sent whole, as the CLI sends it: dockerd splits it, Podman ignores `tag`.
        closing: FileChunks | None = None
        body: Body = None
        if isinstance(source, str) and "://" in source:
            src = source
        else:
            src = "-"
            if isinstance(source, str):
                source = FileChunks(source)
            body, closing = _upload(source, "images.import_")
            if isinstance(source, FileChunks):
                closing = source
        return self._progress(
            "ImageCreate",
            "/images/create",
            query={
                "fromSrc": src,
                "repo": repo,
                "tag": tag,
                "message": message,
                "changes": [changes] if isinstance(changes, str) else changes,
                "platform": _platform_text(platform),
            },
            body=body,
            headers={"Content-Type": "application/x-tar"} if body is not None else None,
            closing=closing,
            upload=body is not None,
        )

    # -- build -------------------------------------------------------------------------

    def build(
        self,
        context: BuildContext | None = None,
        *,
        dockerfile: str | os.PathLike[str] | None = None,
        tag: str | Sequence[str] | None = None,
        remote: str | None = None,
        quiet: bool = False,
        nocache: bool = False,
        cache_from: Sequence[str] | None = None,
        pull: bool = False,
        rm: bool = True,
        forcerm: bool = False,
        memory: int | None = None,
        memswap: int | None = None,
        cpu_shares: int | None = None,
        cpuset_cpus: str | None = None,
        cpu_period: int | None = None,
        cpu_quota: int | None = None,
        buildargs: Mapping[str, str | None] | None = None,
        shm_size: int | None = None,
        squash: bool = False,
        labels: Mapping[str, str] | None = None,
        network_mode: str | None = None,
        extra_hosts: Mapping[str, str] | Sequence[str] | None = None,
        platform: Platform | None = None,
        target: str | None = None,
        outputs: str | None = None,
        version: str | None = None,
        session: str | None = None,
        gzip: bool = False,
        auth: Mapping[str, Auth] | None = None,
    ) -> ProgressStream[ProgressMessage]:
        """Build an image: `await` it for the `ProgressResult` (`image_id`, `log`).

        `context` is a directory (sent as a tar written while it is sent, filtered by its
        .dockerignore as the docker CLI does; `gzip=True` compresses it), a tar file's
        path, tar bytes or an async iterable of tar bytes; or None with `remote=` (a Git
        or HTTP URL the daemon fetches). `dockerfile` is relative to the context; a path
        outside a directory context is sent under a random name, as the CLI does.
        `tag` may be several names. `extra_hosts` maps host names to addresses.
        `session` names a session opened with `docker.session.dial()` whose services
        BuildKit may call (the daemon reads it though the spec does not list it).

        Registry credentials for FROM images go in `X-Registry-Config`: `auth` maps
        registries to credentials; without it every credential the docker config knows
        is sent (what the CLI does), each for its own registry.

        A failing step raises `ProgressError` (`errors.StreamError`) whose `log` holds the
        build output. The upload is not bounded by the client timeout; cancelling closes
        the connection and the daemon stops the build.
        """
        path_context: PathContext | None = None
        body: Body = None
        if context is None:
            if remote is None:
                raise ValueError("images.build needs a context or remote=")
        elif isinstance(context, str | os.PathLike):
            path_context = PathContext(context, dockerfile=dockerfile, gzip=gzip)
        else:
            body, _ = _upload(context, "images.build")
        tags = [tag] if isinstance(tag, str) else (builtins.list(tag) if tag else None)
        if isinstance(extra_hosts, Mapping):
            hosts: builtins.list[str] | None = [f"{h}:{a}" for h, a in extra_hosts.items()]
        else:
            hosts = builtins.list(extra_hosts) if extra_hosts else None
        query: dict[str, object] = {
            "dockerfile": os.fspath(dockerfile) if dockerfile is not None else None,
            "t": tags,
            "extrahosts": hosts,
            "remote": remote,
            "q": quiet or None,
            "nocache": nocache or None,
            "cachefrom": json.dumps(builtins.list(cache_from)) if cache_from else None,
            "pull": pull or None,
            "rm": None if rm else False,
            "forcerm": forcerm or None,
            "memory": memory,
            "memswap": memswap,
            "cpushares": cpu_shares,
            "cpusetcpus": cpuset_cpus,
            "cpuperiod": cpu_period,
            "cpuquota": cpu_quota,
            "buildargs": json.dumps(dict(buildargs)) if buildargs else None,
            "shmsize": shm_size,
            "squash": squash or None,
            "labels": json.dumps(dict(labels)) if labels else None,
            "networkmode": network_mode,
            "platform": _platform_text(platform),
            "target": target,
            "outputs": outputs,
            "version": version,
            "session": session,
        }
        return self._progress(
            "ImageBuild",
            "/build",
            query=query,
            body=body,
            headers={"Content-Type": "application/x-tar"} if context is not None else None,
            registry_config=auth if auth is not None else True,
            context=path_context,
            upload=True,
        )

    async def build_prune(
        self,
        *,
        all: bool = False,
        filters: Filters | None = None,
        keep_storage: int | None = None,
        reserved_space: int | None = None,
        max_used_space: int | None = None,
        min_free_space: int | None = None,
    ) -> BuildPruneResponse:
        """Delete the builder cache (BuildKit's); unused entries only unless `all=True`."""
        return await self._docker._json(
            "BuildPrune",
            "POST",
            "/build/prune",
            BuildPruneResponse,
            query={
                "all": all or None,
                "filters": filters or None,
                "keep-storage": keep_storage,
                "reserved-space": reserved_space,
                "max-used-space": max_used_space,
                "min-free-space": min_free_space,
            },
            time_limit=None,
        )
