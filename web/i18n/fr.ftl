# candor, site des signalements : français.
# Mêmes clés et mêmes { $variables } que en.ftl. On vouvoie, on rassure,
# on dit quoi faire ; on n'accuse jamais la personne qui écrit.

## Toutes les pages

skip-link = Aller au contenu principal
demo-banner = Ce serveur utilise les clés de démonstration publiques fournies avec candor. N’importe qui peut lire ce qui est envoyé ici. Ne signalez rien de réel.
tagline = Canal de signalement confidentiel
lang-switch = Langue
nav-label = Site
nav-home = Accueil
nav-report = Faire un signalement
nav-advice = Demander conseil
nav-followup = Suivre mon dossier
footer-privacy = Ce site n’utilise pas de JavaScript et ne charge rien depuis d’autres sites. Il ne dépose un cookie que pendant que vous êtes connecté avec un code de reçu, et l’oublie quand vous partez.
size-mb = { $n } Mo
size-gb = { $n } Go

## Page d’accueil

index-title = Signaler un manquement en toute sécurité
index-lead = Vous pouvez informer le bureau de la déontologie d’un comportement répréhensible, ou lui demander un conseil confidentiel, sans donner votre nom.
index-what-title = Ce que vous pouvez signaler
index-advice-intro = Vous pouvez aussi demander un conseil confidentiel avant d’agir, par exemple sur :
index-advice-link = Demander un conseil confidentiel
index-protect-title = Vous êtes protégé contre les représailles
index-protect-text = Exercer des représailles contre une personne qui signale de bonne foi un manquement, ou qui coopère à une enquête, constitue en soi une faute. Si l’on vous traite injustement parce que vous avez fait un signalement, dites-le aussi ici : le bureau peut recommander des mesures pour vous protéger.
index-anon-title = Comment votre anonymat est préservé
index-anon-encrypted = Tout ce que vous envoyez est chiffré sur ce serveur avant d’être enregistré, avec une clé que le serveur ne possède pas. Seul le bureau de la déontologie peut le lire, sur un ordinateur qui n’est jamais relié à un réseau.
index-anon-no-logs = Ce service n’enregistre ni votre adresse IP, ni votre navigateur, ni l’heure de votre visite — seulement le jour où un signalement est arrivé.
index-anon-receipt = Au lieu d’un compte, vous recevez un code de reçu. Gardez-le secret : il vous permet de lire les réponses du bureau et d’envoyer d’autres informations.
index-keep-title = Comment rester anonyme
index-keep-tor = Utilisez le navigateur Tor (Tor Browser), sur un appareil personnel.
index-keep-network = N’utilisez ni ordinateur ni téléphone professionnels, ni le réseau ou le VPN de votre employeur : ils peuvent être surveillés.
index-keep-metadata = Les documents et les photos contiennent des informations cachées : l’auteur, l’appareil, des dates, parfois le lieu de la prise de vue. Supprimez-les avant de joindre vos fichiers (par exemple avec un outil de suppression des métadonnées, ou en faisant une capture d’écran du document), ou bien décrivez simplement ce qu’ils montrent.
index-keep-details = Évitez les détails que vous seul pourriez connaître, sauf si vous souhaitez que le bureau sache qui vous êtes.
index-next-title = Et ensuite ?
index-next-ack = Le bureau accuse réception de votre signalement dans un délai de 7 jours.
index-next-feedback = Dans un délai de 3 mois, il vous dit quelle suite est donnée à votre signalement.
index-next-followup = Vous ne recevrez aucun courriel : revenez sur ce site, connectez-vous avec votre code de reçu, lisez les réponses du bureau et répondez à ses questions.
index-contact-title = Autres moyens de joindre le bureau
index-external-title = Signaler en dehors du bureau
index-external-intro = Vous pouvez aussi vous adresser aux instances suivantes :
index-start-label = Commencer
action-report = Faire un signalement
action-advice = Demander conseil
action-followup = J’ai un code de reçu

## Types de manquements et sujets de conseil

category-conduct = Normes générales de conduite
category-harassment = Harcèlement, harcèlement sexuel ou abus de pouvoir
category-outside-activities = Activités extérieures
category-conflict-of-interest = Conflit d’intérêts
category-fraud = Fraude, corruption ou mauvais usage des ressources
category-retaliation = Représailles pour avoir fait un signalement
category-sexual-exploitation = Exploitation et atteintes sexuelles
category-gifts = Cadeaux, invitations et distinctions
category-elections = Activités politiques et élections
category-hr-grievance = Une réclamation liée aux ressources humaines
category-workplace-dispute = Un conflit au travail
category-other = Autre chose

## Le formulaire

report-title = Faire un signalement
advice-title = Demander un conseil confidentiel
form-errors-title = Merci de vérifier le formulaire
form-files-again = Par sécurité, les fichiers ne sont pas conservés quand le formulaire est réaffiché : merci de les choisir à nouveau.
form-required-note = Les champs marqués d’un astérisque (*) sont obligatoires. Tout est chiffré avant d’être enregistré.
form-channel-legend = Qui doit le lire ? (obligatoire)
form-channel-hint = Chaque choix n’est lu que par les personnes qu’il nomme : ce que vous envoyez, vos fichiers et vos messages ultérieurs sont chiffrés pour qu’elles seules puissent les ouvrir.
form-channel-takes = Types de manquement qu’il reçoit : { $list }
form-required = obligatoire
form-category-legend = Type de manquement (cochez tout ce qui s’applique)
form-topic-legend = Sujet du conseil (si vous demandez conseil)
form-description-label = Que s’est-il passé, ou sur quoi souhaitez-vous un conseil ?
form-description-hint = Qui a fait quoi, et comment vous le savez. Laissez de côté ce qui permettrait de vous identifier, sauf si vous le souhaitez.
form-when-label = Quand cela s’est-il passé ?
form-where-label = Où cela s’est-il passé ?
form-people-label = Qui était impliqué, ou qui a été témoin ?
form-contact-label = Comment le bureau peut-il vous contacter ? (facultatif)
form-contact-hint = Laissez ce champ vide pour rester anonyme. Vous pourrez toujours lire les réponses avec votre code de reçu.
form-attachment-label = Preuves (facultatif, plusieurs fichiers possibles)
form-attachment-hint = { $size } au total au maximum. Supprimez d’abord les informations cachées des documents et des photos.
form-submit = Envoyer en toute sécurité

## Problèmes dans ce qui a été saisi

problem-kind-missing = Indiquez si vous signalez un manquement ou si vous demandez conseil.
problem-kind-unknown = Choisissez l’une des deux possibilités proposées.
problem-category-unknown = Choisissez uniquement parmi les types de manquements ou les sujets de conseil de la liste.
problem-description-empty = Décrivez ce qui s’est passé, ou ce sur quoi vous souhaitez un conseil.
problem-message-empty = Écrivez un message ou choisissez un fichier à envoyer.
problem-too-many-files = Envoyez au plus 100 fichiers à la fois ; envoyez les autres dans un message de suivi.
problem-channel-missing = Choisissez qui doit lire votre signalement.
problem-channel-unknown = Choisissez l’un des destinataires proposés.

## Le reçu

receipt-title = Votre signalement a bien été reçu
receipt-intro = Voici votre code de reçu. C’est le seul moyen de lire les réponses du bureau et d’envoyer d’autres informations. Il n’est affiché qu’une fois et ne peut pas être retrouvé.
receipt-code-label = Votre code de reçu :
receipt-keep-title = Gardez-le en lieu sûr
receipt-keep-paper = Notez-le sur papier et rangez-le là où vous seul y avez accès, ou apprenez-le par cœur.
receipt-keep-device = Ne le gardez pas sur un appareil professionnel, dans un courriel ni dans une photo.
receipt-keep-who = Quiconque possède ce code peut lire les réponses que le bureau vous adresse (mais jamais votre propre signalement).
receipt-keep-print = Vous pouvez imprimer cette page ; utilisez une imprimante qui n’appartient pas à votre employeur.
receipt-next-title = Et ensuite ?
receipt-next-text = Le bureau accusera réception de votre signalement dans un délai de 7 jours et vous dira quelle suite il y donne dans un délai de 3 mois. Revenez sur la page de suivi, saisissez votre code et lisez ses réponses.
receipt-followup-link = Aller à la page de suivi
receipt-switch-note = Afficher cette page dans une autre langue (votre code reste le même) :

## Le suivi

login-title = Suivre un signalement
login-intro = Saisissez le code de reçu qui vous a été remis. Majuscules ou minuscules, espaces et tirets : peu importe.
login-label = Code de reçu
login-submit = Ouvrir mon dossier
followup-typo-title = Merci de vérifier le code
followup-typo = Un caractère semble mal saisi : le dernier caractère du code ne correspond pas. Vérifiez chaque groupe attentivement.
followup-empty-title = Merci de saisir votre code
followup-empty = Saisissez le code de reçu qui vous a été remis.
followup-malformed-title = Ce n’est pas un code de reçu
followup-malformed = Un code de reçu compte 25 lettres et chiffres, en cinq groupes. Vérifiez que vous l’avez saisi en entier.
followup-unknown-title = Aucun dossier ne porte ce code
followup-unknown = Le code est bien formé, mais aucun dossier ne lui correspond. Si vous l’avez recopié correctement, le dossier a peut-être été clos puis supprimé.
followup-nosession-title = Merci de saisir à nouveau votre code
followup-nosession = Pour votre sécurité, vous êtes déconnecté après quelques minutes d’inactivité.
followup-ratelimited-title = Trop de tentatives
followup-ratelimited = Trop de codes viennent d’être essayés. Merci d’attendre une minute avant de réessayer.
followup-failed-title = Un problème est survenu
followup-failed = Le service n’a pas pu ouvrir votre dossier pour le moment. Merci de réessayer plus tard.

## Un dossier

thread-title = Votre dossier
thread-status = État :
thread-messages = Messages
thread-own-report = Votre signalement, envoyé le { $day }
thread-own-recorded = Votre signalement, enregistré par le bureau le { $day }
thread-own-message = Votre message, envoyé le { $day }
thread-status-change = État modifié le { $day } : { $status }
thread-reply = Réponse du bureau de la déontologie, { $day }
thread-own-hint = Votre signalement et vos messages apparaissent sans leur contenu : ainsi, ce code seul ne révèle jamais ce que vous avez écrit.
thread-send-title = Envoyer d’autres informations
thread-message-label = Votre message
thread-files-label = Fichiers (facultatif)
thread-sent-notice = Votre message a été envoyé en toute sécurité.
thread-logout = Se déconnecter
status-received = Reçu
status-acknowledged = Réception confirmée par le bureau de la déontologie
status-preliminary-review = Examen préliminaire en cours
status-investigation = Enquête en cours
status-closed-substantiated = Clos : les faits ont été établis
status-closed-unsubstantiated = Clos : les faits n’ont pas été établis
status-closed-referred = Clos : transmis à un autre service

## Pages d’erreur

error-nothing-lost = Rien de ce que vous avez envoyé auparavant n’a été perdu ni modifié.
error-back = Revenir en arrière
error-unreadable-title = Le formulaire n’a pas pu être lu
error-unreadable-report = Votre navigateur a envoyé le signalement sous une forme que ce service n’accepte pas. Merci d’utiliser le formulaire de signalement de ce site.
error-unreadable-login = Merci d’utiliser le formulaire de suivi de ce site.
error-unreadable-message = Merci d’utiliser le formulaire de message de la page de votre dossier.
error-check-title = Merci de vérifier le formulaire
error-broken = Le formulaire est arrivé incomplet ou abîmé. Revenez en arrière et envoyez-le de nouveau.
error-too-large-title = Votre envoi est trop volumineux
error-too-large = Ce service accepte au plus { $size } par envoi. Envoyez moins de fichiers ou des fichiers plus petits, ou envoyez le reste dans des messages de suivi.
error-too-long-title = Un texte est trop long
error-too-long = L’un des textes dépasse la longueur acceptée par ce service. Raccourcissez-le, ou joignez-le sous forme de fichier.
error-not-utf8 = Une partie du texte n’a pas été envoyée sous une forme que ce service sait lire (UTF-8). Revenez en arrière et envoyez-le de nouveau.
error-busy-title = Trop de signalements en ce moment
error-busy = Le service reçoit beaucoup de signalements en ce moment. Merci d’attendre une minute avant de renvoyer.
error-slots-title = Le service est très sollicité
error-slots = Beaucoup de personnes envoient un signalement en ce moment. Rien n’a été enregistré ; merci d’attendre une minute avant de renvoyer.
error-stalled-title = L’envoi s’est interrompu
error-stalled = Rien n’est arrivé pendant longtemps : l’envoi a été arrêté et rien n’a été enregistré. Merci de renvoyer ; avec une connexion lente, envoyez les gros fichiers un par un dans des messages de suivi.
error-head-too-large-title = La requête était trop grande pour être lue
error-head-too-large = Votre navigateur a envoyé plus de données d’en-tête que ce service n’en accepte ; rien n’a été lu ni enregistré. Fermez les autres onglets de ce site, ou redémarrez le navigateur, puis réessayez.
error-disk-title = Le service ne peut pas recevoir de fichiers pour le moment
error-disk = Ce serveur manque de place : rien n’a été enregistré. Merci de réessayer plus tard.
tor2web-title = Cette connexion ne vous protège pas
tor2web = Vous êtes arrivé sur ce site par un relais Tor2web. Un tel relais voit tout ce que vous envoyez et peut savoir qui vous êtes. Rien n’a été envoyé. Installez Tor Browser depuis torproject.org, puis revenez avec lui.
error-store-title = Votre signalement n’a pas pu être enregistré
error-store = Un problème est survenu sur ce serveur, et ce que vous avez envoyé n’a pas été enregistré. Merci de réessayer plus tard.
error-not-found-title = Page introuvable
error-not-found = Il n’y a aucune page à cette adresse.
