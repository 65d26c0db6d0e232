# candor, sitio de denuncias: español.
# Mismas claves y mismas { $variables } que en.ftl. Tratamos de «usted»,
# con calma y claridad; nunca culpamos a quien escribe.

## Todas las páginas

skip-link = Ir al contenido principal
demo-banner = Este servidor usa las claves públicas de demostración que vienen con candor. Cualquiera puede leer lo que se envíe aquí. No denuncie nada real.
tagline = Canal confidencial de denuncias
lang-switch = Idioma
nav-label = Sitio
nav-home = Inicio
nav-report = Presentar una denuncia
nav-advice = Pedir asesoramiento
nav-followup = Seguimiento
footer-privacy = Este sitio no usa JavaScript ni carga nada de otros sitios. Solo guarda una cookie mientras usted está conectado con un código de recibo, y la olvida cuando se va.
size-mb = { $n } MB
size-gb = { $n } GB

## Página de inicio

index-title = Denuncie una conducta indebida de forma segura
index-lead = Puede informar a la oficina de ética de una irregularidad, o pedirle asesoramiento confidencial, sin dar su nombre.
index-what-title = Qué puede denunciar
index-advice-intro = También puede pedir asesoramiento confidencial antes de actuar, por ejemplo sobre:
index-advice-link = Pedir asesoramiento confidencial
index-protect-title = Está protegido contra las represalias
index-protect-text = Tomar represalias contra quien denuncia de buena fe una conducta indebida, o contra quien colabora en una investigación, es en sí mismo una falta. Si le tratan injustamente por haber denunciado, cuéntelo también aquí: la oficina puede recomendar medidas para protegerle.
index-anon-title = Cómo se protege su anonimato
index-anon-encrypted = Todo lo que envía se cifra en este servidor antes de guardarse, con una clave que el servidor no tiene. Solo la oficina de ética puede leerlo, en un ordenador que nunca se conecta a ninguna red.
index-anon-no-logs = Este servicio no registra su dirección IP, su navegador ni la hora de su visita; solo el día en que llegó una denuncia.
index-anon-receipt = En lugar de una cuenta, recibirá un código de recibo. Manténgalo en secreto: con él podrá leer las respuestas de la oficina y enviar más información.
index-keep-title = Cómo seguir siendo anónimo
index-keep-tor = Use el navegador Tor (Tor Browser) en un dispositivo personal.
index-keep-network = No use un ordenador ni un teléfono del trabajo, ni la red o la VPN de su empleador: pueden estar vigilados.
index-keep-metadata = Los documentos y las fotos llevan información oculta: el autor, el dispositivo, fechas y, a veces, el lugar donde se tomó la foto. Elimínela antes de adjuntarlos (por ejemplo, con una herramienta para borrar metadatos o haciendo una captura de pantalla del documento), o describa lo que muestran.
index-keep-details = No incluya detalles que solo usted podría conocer, salvo que quiera que la oficina sepa quién es.
index-next-title = Qué ocurre después
index-next-ack = La oficina acusa recibo de su denuncia en un plazo de 7 días.
index-next-feedback = En un plazo de 3 meses, le informa de cómo se está tramitando.
index-next-followup = No recibirá correos electrónicos: vuelva a este sitio, entre con su código de recibo, lea las respuestas de la oficina y conteste a sus preguntas.
index-contact-title = Otras formas de contactar con la oficina
index-external-title = Denunciar fuera de la oficina
index-external-intro = También puede dirigirse a estos organismos:
index-start-label = Empezar
action-report = Presentar una denuncia
action-advice = Pedir asesoramiento
action-followup = Tengo un código de recibo

## Tipos de conducta indebida y temas de asesoramiento

category-conduct = Normas generales de conducta
category-harassment = Acoso, acoso sexual o abuso de autoridad
category-outside-activities = Actividades externas
category-conflict-of-interest = Conflicto de intereses
category-fraud = Fraude, corrupción o uso indebido de recursos
category-retaliation = Represalias por haber denunciado
category-sexual-exploitation = Explotación y abusos sexuales
category-gifts = Regalos, atenciones y distinciones
category-elections = Actividad política y elecciones
category-hr-grievance = Una reclamación laboral o de recursos humanos
category-workplace-dispute = Un conflicto en el trabajo
category-other = Otra cosa

## El formulario

report-title = Presentar una denuncia
advice-title = Pedir asesoramiento confidencial
form-errors-title = Revise el formulario, por favor
form-files-again = Por su seguridad, los archivos no se conservan cuando el formulario se vuelve a mostrar: elíjalos de nuevo, por favor.
form-required-note = Los campos marcados con un asterisco (*) son obligatorios. Todo se cifra antes de guardarse.
form-channel-legend = ¿Quién debe leerlo? (obligatorio)
form-channel-hint = Cada opción solo la leen las personas que nombra: lo que envíe, sus archivos y sus mensajes posteriores se cifran para que solo ellas puedan abrirlos.
form-channel-takes = Tipos de conducta indebida que recibe: { $list }
form-required = obligatorio
form-category-legend = Tipo de conducta indebida (marque todas las que correspondan)
form-topic-legend = Tema del asesoramiento (si pide asesoramiento)
form-description-label = ¿Qué ocurrió, o sobre qué desea asesoramiento?
form-description-hint = Quién hizo qué, y cómo lo sabe. Omita lo que pueda identificarle, salvo que quiera ser identificado.
form-when-label = ¿Cuándo ocurrió?
form-where-label = ¿Dónde ocurrió?
form-people-label = ¿Quién estuvo implicado, o quién lo presenció?
form-contact-label = ¿Cómo puede contactarle la oficina? (opcional)
form-contact-hint = Deje este campo vacío para seguir siendo anónimo. Siempre podrá leer las respuestas con su código de recibo.
form-attachment-label = Pruebas (opcional, puede adjuntar varios archivos)
form-attachment-hint = Hasta { $size } en total. Antes, elimine la información oculta de documentos y fotos.
form-submit = Enviar de forma segura

## Problemas con lo que se escribió

problem-kind-missing = Indique si denuncia una conducta indebida o si pide asesoramiento.
problem-kind-unknown = Elija una de las dos opciones ofrecidas.
problem-category-unknown = Elija solo entre los tipos de conducta indebida o los temas de asesoramiento de la lista.
problem-description-empty = Describa qué ocurrió, o sobre qué desea asesoramiento.
problem-message-empty = Escriba un mensaje o elija un archivo para enviar.
problem-too-many-files = Envíe como máximo 100 archivos a la vez; envíe el resto en un mensaje de seguimiento.
problem-channel-missing = Elija quién debe leer su denuncia.
problem-channel-unknown = Elija uno de los destinatarios indicados.

## El recibo

receipt-title = Hemos recibido su denuncia
receipt-intro = Este es su código de recibo. Es la única forma de leer las respuestas de la oficina y de enviar más información. Solo se muestra una vez y no se puede recuperar.
receipt-code-label = Su código de recibo:
receipt-keep-title = Guárdelo en un lugar seguro
receipt-keep-paper = Anótelo en papel y guárdelo donde solo usted tenga acceso, o apréndalo de memoria.
receipt-keep-device = No lo guarde en un dispositivo del trabajo, en un correo electrónico ni en una foto.
receipt-keep-who = Cualquiera que tenga este código puede leer las respuestas que la oficina le envíe (pero nunca su propia denuncia).
receipt-keep-print = Puede imprimir esta página; use una impresora que no sea de su empleador.
receipt-next-title = Qué ocurre después
receipt-next-text = La oficina acusará recibo de su denuncia en un plazo de 7 días y le informará de cómo se está tramitando en un plazo de 3 meses. Vuelva a la página de seguimiento, escriba su código y lea sus respuestas.
receipt-followup-link = Ir a la página de seguimiento
receipt-switch-note = Mostrar esta página en otro idioma (su código sigue siendo el mismo):

## Seguimiento

login-title = Seguimiento de una denuncia
login-intro = Escriba el código de recibo que se le dio. Da igual que use mayúsculas o minúsculas, espacios o guiones.
login-label = Código de recibo
login-submit = Abrir mi caso
followup-typo-title = Revise el código, por favor
followup-typo = Parece que uno de los caracteres está mal escrito: el último carácter del código no coincide. Revise cada grupo con atención.
followup-empty-title = Escriba su código, por favor
followup-empty = Escriba el código de recibo que se le dio.
followup-malformed-title = Esto no es un código de recibo
followup-malformed = Un código de recibo tiene 25 letras y cifras, en cinco grupos. Compruebe que lo ha escrito completo.
followup-unknown-title = Ningún caso tiene este código
followup-unknown = El código es válido, pero no corresponde a ningún caso. Si lo copió bien, puede que el caso se haya cerrado y eliminado.
followup-nosession-title = Escriba su código de nuevo, por favor
followup-nosession = Por su seguridad, la sesión se cierra tras unos minutos sin actividad.
followup-ratelimited-title = Demasiados intentos
followup-ratelimited = Se acaban de probar demasiados códigos. Espere un minuto y vuelva a intentarlo.
followup-failed-title = Algo salió mal
followup-failed = El servicio no ha podido abrir su caso en este momento. Vuelva a intentarlo más tarde.

## Un caso

thread-title = Su caso
thread-status = Estado:
thread-messages = Mensajes
thread-own-report = Su denuncia, enviada el { $day }
thread-own-recorded = Su denuncia, registrada por la oficina el { $day }
thread-own-message = Su mensaje, enviado el { $day }
thread-status-change = Estado cambiado el { $day }: { $status }
thread-reply = Respuesta de la oficina de ética, { $day }
thread-own-hint = Su denuncia y sus mensajes aparecen sin su contenido, para que este código por sí solo nunca revele lo que usted escribió.
thread-send-title = Enviar más información
thread-message-label = Su mensaje
thread-files-label = Archivos (opcional)
thread-sent-notice = Su mensaje se ha enviado de forma segura.
thread-logout = Cerrar sesión
status-received = Recibido
status-acknowledged = La oficina de ética ha acusado recibo
status-preliminary-review = En examen preliminar
status-investigation = En investigación
status-closed-substantiated = Cerrado: se confirmaron los hechos denunciados
status-closed-unsubstantiated = Cerrado: no se confirmaron los hechos denunciados
status-closed-referred = Cerrado: remitido a otra oficina

## Páginas de error

error-nothing-lost = Nada de lo que envió antes se ha perdido ni modificado.
error-back = Volver
error-unreadable-title = No se pudo leer el formulario
error-unreadable-report = Su navegador envió la denuncia en un formato que este servicio no acepta. Use el formulario de denuncia de este sitio, por favor.
error-unreadable-login = Use el formulario de seguimiento de este sitio, por favor.
error-unreadable-message = Use el formulario de mensajes de la página de su caso, por favor.
error-check-title = Revise el formulario, por favor
error-broken = El formulario llegó incompleto o dañado. Vuelva atrás y envíelo de nuevo.
error-too-large-title = Lo que envió es demasiado grande
error-too-large = Este servicio acepta hasta { $size } por envío. Envíe menos archivos o archivos más pequeños, o envíe el resto en mensajes de seguimiento.
error-too-long-title = Un texto es demasiado largo
error-too-long = Uno de los textos supera la longitud que acepta este servicio. Acórtelo, o adjúntelo como archivo.
error-not-utf8 = Parte del texto no llegó en un formato que este servicio pueda leer (UTF-8). Vuelva atrás y envíelo de nuevo.
error-busy-title = Demasiadas denuncias en este momento
error-busy = El servicio está recibiendo muchas denuncias en este momento. Espere un minuto y vuelva a enviarla.
error-slots-title = El servicio está ocupado
error-slots = Muchas personas están enviando denuncias en este momento. No se ha guardado nada; espere un minuto y vuelva a enviarla.
error-stalled-title = El envío se ha interrumpido
error-stalled = No llegó nada durante mucho tiempo, así que el envío se detuvo y no se guardó nada. Vuelva a enviarlo; si su conexión es lenta, envíe los archivos grandes de uno en uno en mensajes de seguimiento.
error-head-too-large-title = La solicitud era demasiado grande para leerla
error-head-too-large = Su navegador envió más datos de cabecera de los que este servicio acepta, así que no se leyó ni se guardó nada. Cierre las demás pestañas de este sitio, o reinicie el navegador, e inténtelo de nuevo.
error-disk-title = El servicio no puede recibir archivos ahora
error-disk = Este servidor se ha quedado sin espacio, así que no se ha guardado nada. Inténtelo de nuevo más tarde.
tor2web-title = Esta conexión no le protege
tor2web = Ha llegado a este sitio a través de un intermediario Tor2web. Ese intermediario ve todo lo que usted envía y puede saber quién es. No se ha enviado nada. Instale Tor Browser desde torproject.org y vuelva con él.
error-store-title = No se pudo guardar su denuncia
error-store = Algo falló en este servidor y lo que envió no se ha guardado. Vuelva a intentarlo más tarde.
error-not-found-title = Página no encontrada
error-not-found = No hay ninguna página en esta dirección.
